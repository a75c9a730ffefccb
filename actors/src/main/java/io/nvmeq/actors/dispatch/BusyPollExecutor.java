package io.nvmeq.actors.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-thread executor whose thread runs an Agrona-style duty cycle: run the queued tasks (Akka
 * mailbox runs), call the registered {@link Poller}s (completion queues), then let the idle
 * strategy decide. While any poller is busy (commands in flight) the thread spins without backing
 * off; only when nothing is in flight does the configured strategy apply, down to parking, and a
 * new task then unparks the thread at once.
 *
 * <p>Pollers are registered from the executor's own thread (an actor's setup runs there), so the
 * poller list is confined to that thread and needs no synchronisation.
 */
public final class BusyPollExecutor extends AbstractExecutorService
{
    private static final Logger LOG = LoggerFactory.getLogger(BusyPollExecutor.class);

    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    /** Takes what does not fit in {@link #tasks}; allocates, but never refuses a mailbox run. */
    private final Queue<Runnable> overflow = new ConcurrentLinkedQueue<>();
    private final IdleStrategy idleStrategy;
    private final long parkThreshold;
    private final int tasksPerCycle;
    private final BusyPollThread thread;

    private final DutyCycleTracker dutyCycles = new DutyCycleTracker(DutyCycleTracker.DEFAULT_THRESHOLD_NANOS);
    private Poller[] pollers = new Poller[0];
    /** Objects the actors on this thread publish to each other (e.g. a queue pair for local submission). */
    private final Map<Object, Object> locals = new HashMap<>();
    private volatile boolean parked;
    private volatile boolean shutdown;
    private volatile boolean terminated;

    BusyPollExecutor(
        final String threadName,
        final int cpu,
        final IdleStrategy idleStrategy,
        final long parkThreshold,
        final int taskQueueCapacity,
        final int tasksPerCycle)
    {
        this.tasks = new ManyToOneConcurrentArrayQueue<>(taskQueueCapacity);
        this.idleStrategy = idleStrategy;
        this.parkThreshold = parkThreshold;
        this.tasksPerCycle = tasksPerCycle;
        this.thread = new BusyPollThread(this, threadName, cpu);
        thread.start();
    }

    public BusyPollThread thread()
    {
        return thread;
    }

    /** The longest duty cycle of this thread and the cycles over the threshold; readable from any thread. */
    public DutyCycleTracker dutyCycles()
    {
        return dutyCycles;
    }

    /**
     * Adds a poller to this executor's duty cycle.
     *
     * @throws IllegalStateException if not called on this executor's thread
     */
    public void register(final Poller poller)
    {
        checkOnOwnThread();
        final Poller[] grown = Arrays.copyOf(pollers, pollers.length + 1);
        grown[pollers.length] = poller;
        pollers = grown;
    }

    /**
     * Removes a poller (no-op if absent).
     *
     * @throws IllegalStateException if not called on this executor's thread
     */
    public void unregister(final Poller poller)
    {
        checkOnOwnThread();
        final List<Poller> kept = new ArrayList<>(Arrays.asList(pollers));
        kept.remove(poller);
        pollers = kept.toArray(new Poller[0]);
    }

    /**
     * Publishes {@code value} under {@code key} to the other actors on this thread.
     *
     * @throws IllegalStateException if not called on this executor's thread
     */
    public void putLocal(final Object key, final Object value)
    {
        checkOnOwnThread();
        locals.put(key, value);
    }

    /** Withdraws what was published under {@code key}; on this executor's thread only. */
    public void removeLocal(final Object key)
    {
        checkOnOwnThread();
        locals.remove(key);
    }

    /** What was published under {@code key}, or null; on this executor's thread only. */
    public Object local(final Object key)
    {
        checkOnOwnThread();
        return locals.get(key);
    }

    /** Pollers registered now; read it on this executor's thread only. */
    public int pollerCount()
    {
        checkOnOwnThread();
        return pollers.length;
    }

    @Override
    public void execute(final Runnable task)
    {
        if (shutdown)
        {
            throw new RejectedExecutionException(thread.getName() + " is shut down");
        }
        if (!tasks.offer(task))
        {
            overflow.add(task);
        }
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    void runDutyCycle(final BusyPollThread self)
    {
        if (self.pinFailure() != null)
        {
            LOG.error("{} could not be pinned to CPU {} and runs unpinned", self.getName(), self.requestedCpu(),
                self.pinFailure());
        }
        long idleCount = 0;
        dutyCycles.restart(System.nanoTime());
        while (!shutdown)
        {
            final int work = runTasks() + pollAll();
            boolean idled = false;
            if (work > 0)
            {
                idleCount = 0;
                idleStrategy.reset();
            }
            else if (anyBusy())
            {
                // Commands in flight: their completions are what this thread is for, so it never backs off.
                idleCount = 0;
                idleStrategy.reset();
                Thread.onSpinWait();
            }
            else
            {
                idle(++idleCount);
                idled = true;
            }
            // One clock read per cycle; a cycle that backed off or parked is not a duty cycle's length.
            final long now = System.nanoTime();
            if (idled)
            {
                dutyCycles.restart(now);
            }
            else
            {
                dutyCycles.measure(now);
            }
        }
        // Tasks submitted before shutdown still run (ExecutorService contract): Akka may have queued a
        // final mailbox run.
        while (runTasks() > 0)
        {
            pollAll();
        }
        terminated = true;
    }

    private void idle(final long idleCount)
    {
        if (idleCount < parkThreshold)
        {
            idleStrategy.idle();
            return;
        }
        // Announce the park before the last look at the queue: a producer either sees the flag and
        // unparks, or its task is seen here.
        parked = true;
        if (tasks.isEmpty() && overflow.isEmpty() && !shutdown)
        {
            idleStrategy.idle();
        }
        parked = false;
    }

    private int runTasks()
    {
        int count = 0;
        Runnable task;
        while (count < tasksPerCycle && ((task = tasks.poll()) != null || (task = overflow.poll()) != null))
        {
            count++;
            try
            {
                task.run();
            }
            catch (final Throwable ex)
            {
                // Akka's mailbox runs handle actor failures themselves; anything escaping here is a bug
                // elsewhere, and must not end the pinned thread.
                LOG.error("task failed on {}", thread.getName(), ex);
            }
        }
        return count;
    }

    private int pollAll()
    {
        final Poller[] current = pollers;
        int work = 0;
        for (final Poller poller : current)
        {
            try
            {
                work += poller.poll();
            }
            catch (final Throwable ex)
            {
                LOG.error("poller {} failed on {} and was removed", poller, thread.getName(), ex);
                unregister(poller);
            }
        }
        return work;
    }

    private boolean anyBusy()
    {
        for (final Poller poller : pollers)
        {
            if (poller.busy())
            {
                return true;
            }
        }
        return false;
    }

    private void checkOnOwnThread()
    {
        if (Thread.currentThread() != thread)
        {
            throw new IllegalStateException("pollers of " + thread.getName() + " are managed on that thread only, not on " +
                Thread.currentThread().getName());
        }
    }

    @Override
    public void shutdown()
    {
        shutdown = true;
        LockSupport.unpark(thread);
    }

    @Override
    public List<Runnable> shutdownNow()
    {
        shutdown();
        final List<Runnable> pending = new ArrayList<>();
        tasks.drainTo(pending, Integer.MAX_VALUE);
        Runnable task;
        while ((task = overflow.poll()) != null)
        {
            pending.add(task);
        }
        return pending;
    }

    @Override
    public boolean isShutdown()
    {
        return shutdown;
    }

    @Override
    public boolean isTerminated()
    {
        return terminated;
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        thread.join(Math.max(1, unit.toMillis(timeout)));
        return terminated;
    }
}
