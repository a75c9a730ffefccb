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
 * mailbox runs), call the registered {@link Poller}s (completion queues), then decide how to wait, by
 * its {@link CompletionMode}:
 * <ul>
 *   <li>busy-poll: while any poller is busy (commands in flight) the thread spins without backing off;
 *       only when nothing is in flight does the idle strategy apply, down to parking, and a new task
 *       then unparks the thread at once;</li>
 *   <li>adaptive: it spins while commands are in flight and for a {@link PollWindow} after the last
 *       work, then sleeps ({@link CompletionSleep}) on its queues' interrupt eventfds and its wake-up
 *       eventfd, which a new task signals;</li>
 *   <li>interrupt: it sleeps as soon as a duty cycle finds nothing to do.</li>
 * </ul>
 * Before sleeping the thread announces it ({@code sleeping}, volatile), arms the interrupts and looks
 * at its task queue and its completion queues once more: a sender either sees the flag and wakes it,
 * or its task is seen in that look; a completion either is seen or signals an armed eventfd.
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
    private final CompletionMode mode;
    private final SleepCounters sleepCounters = new SleepCounters();
    /** Adaptive and interrupt mode only; null in busy-poll mode. */
    private final CompletionSleep sleep;
    private final PollWindow pollWindow;
    private final QueuePairThreadBean bean;
    private Poller[] pollers = new Poller[0];
    /** Objects the actors on this thread publish to each other (e.g. a queue pair for local submission). */
    private final Map<Object, Object> locals = new HashMap<>();
    /** When the current duty cycle ran its first task ({@link System#nanoTime()}); see {@link #tasksStartedAt()}. */
    private long tasksStartedAt;
    private volatile boolean parked;
    /** Announced before the last look ahead of a sleep: a sender that sees it signals the wake-up eventfd. */
    private volatile boolean sleeping;
    private volatile boolean shutdown;
    private volatile boolean terminated;

    BusyPollExecutor(
        final String threadName,
        final int cpu,
        final IdleStrategy idleStrategy,
        final long parkThreshold,
        final int taskQueueCapacity,
        final int tasksPerCycle,
        final CompletionMode mode,
        final long pollWindowMaxNanos,
        final long busySleepNanos)
    {
        this.mode = mode;
        this.pollWindow = new PollWindow(mode == CompletionMode.ADAPTIVE ? pollWindowMaxNanos : 0);
        this.sleep = mode == CompletionMode.BUSY_POLL ? null : new CompletionSleep(sleepCounters, busySleepNanos,
            mode == CompletionMode.ADAPTIVE);
        this.tasks = new ManyToOneConcurrentArrayQueue<>(taskQueueCapacity);
        this.idleStrategy = idleStrategy;
        this.parkThreshold = parkThreshold;
        this.tasksPerCycle = tasksPerCycle;
        this.thread = new BusyPollThread(this, threadName, cpu);
        this.bean = QueuePairThreadBean.register(this);
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

    /** Its sleeps, interrupts, spurious wake-ups and poll-window hits; readable from any thread. */
    public SleepCounters sleepCounters()
    {
        return sleepCounters;
    }

    public CompletionMode completionMode()
    {
        return mode;
    }

    /** Whether the thread has announced a sleep (adaptive and interrupt mode): it is in, or about to enter, ppoll. */
    public boolean isSleeping()
    {
        return sleeping;
    }

    /** CPU time this executor's thread used so far, ns (-1 where the JVM does not measure it); any thread. */
    public long cpuTimeNanos()
    {
        return QueuePairThreadBean.cpuTimeNanos(thread);
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
        else if (sleeping && Thread.currentThread() != thread)
        {
            // (A task the thread gives itself during its last look before the sleep is seen by that look.)
            sleep.wakeUp();
        }
    }

    void runDutyCycle(final BusyPollThread self)
    {
        if (self.pinFailure() != null)
        {
            LOG.error("{} could not be pinned to CPU {} and runs unpinned", self.getName(), self.requestedCpu(),
                self.pinFailure());
        }
        try
        {
            if (sleep == null)
            {
                runBusyPolling();
            }
            else
            {
                runSleeping();
            }
            // Tasks submitted before shutdown still run (ExecutorService contract): Akka may have queued a
            // final mailbox run.
            while (runTasks() > 0)
            {
                pollAll();
            }
        }
        finally
        {
            if (sleep != null)
            {
                sleep.close();
            }
            bean.unregister();
            terminated = true;
        }
    }

    /** Busy-poll mode: spin while commands are in flight, else the idle strategy. */
    private void runBusyPolling()
    {
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
            endCycle(idled, System.nanoTime());
        }
    }

    /**
     * Adaptive and interrupt mode. An idle spell starts with the first cycle that finds nothing to do;
     * it ends with the next work, caught either while still polling in the window (a hit) or after a sleep,
     * and its length teaches the window.
     */
    private void runSleeping()
    {
        long idleSince = 0;
        boolean sleptInSpell = false;
        boolean justWoke = false;
        dutyCycles.restart(System.nanoTime());
        while (!shutdown)
        {
            int work = runTasks() + pollAll();
            if (justWoke)
            {
                sleep.afterWake(work);
                justWoke = false;
            }
            long now = System.nanoTime();
            // Detaches the vectors of the last sleep once the thread has been awake long enough (VFIO, adaptive).
            sleep.quietIfDue(now);
            boolean idled = false;
            if (work > 0)
            {
                if (idleSince != 0)
                {
                    if (!sleptInSpell)
                    {
                        sleepCounters.pollWindowHit();
                    }
                    pollWindow.observe(now - idleSince);
                    sleepCounters.pollWindow(pollWindow.nanos());
                    idleSince = 0;
                    sleptInSpell = false;
                }
            }
            else if (mode == CompletionMode.ADAPTIVE && anyBusy() || !CompletionSleep.maySleep(pollers))
            {
                // Commands in flight (adaptive), or in flight on a queue without interrupts: spin.
                Thread.onSpinWait();
            }
            else
            {
                idled = true;
                if (idleSince == 0)
                {
                    idleSince = now;
                }
                if (now - idleSince < pollWindow.nanos())
                {
                    Thread.onSpinWait();
                }
                else
                {
                    sleptInSpell = true;
                    work = sleepOnce(now);
                    justWoke = work == 0;
                    now = System.nanoTime();
                    if (work > 0)
                    {
                        // The last look before the sleep found work: the spell ends here, caught by polling.
                        pollWindow.observe(now - idleSince);
                        sleepCounters.pollWindow(pollWindow.nanos());
                        idleSince = 0;
                        sleptInSpell = false;
                        idled = false;
                    }
                }
            }
            endCycle(idled, now);
        }
    }

    /**
     * Announces the sleep, arms the interrupts, looks once more at the tasks and the completion queues,
     * and sleeps only if both are empty. Returns the work that last look found.
     */
    private int sleepOnce(final long now)
    {
        sleeping = true;
        int work = 0;
        try
        {
            sleep.arm(pollers);
            work = pollAll();
            if (work == 0 && tasks.isEmpty() && overflow.isEmpty() && !shutdown)
            {
                sleep.await(pollers, now);
            }
        }
        catch (final RuntimeException ex)
        {
            // An eventfd closed with its device under a sleeping thread: forget the vectors (the next
            // sleep collects those still there) and go round once more; the thread must not end.
            LOG.warn("{}: sleep on the interrupt eventfds failed; collecting them again", thread.getName(), ex);
            sleep.forgetVectors();
        }
        finally
        {
            sleeping = false;
            disarm();
        }
        return work;
    }

    private void disarm()
    {
        try
        {
            sleep.disarm(System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: masking an interrupt vector failed", thread.getName(), ex);
        }
    }

    /** One clock read per cycle; a cycle that backed off, polled in its window or slept is not a duty cycle's length. */
    private void endCycle(final boolean idled, final long now)
    {
        if (idled)
        {
            dutyCycles.restart(now);
        }
        else
        {
            dutyCycles.measure(now);
        }
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

    /**
     * On this executor's thread: when the current duty cycle began running its tasks (mailbox runs), in
     * {@link System#nanoTime()} terms, read once per cycle that has any. An actor on this thread times what
     * it handles with it instead of a clock read per message (as an Aeron agent uses a cached clock): a
     * clock read costs about as much as a co-located actor's whole work per I/O. It is behind the clock by at
     * most the cycle's mailbox runs so far.
     */
    public long tasksStartedAt()
    {
        return tasksStartedAt;
    }

    private int runTasks()
    {
        int count = 0;
        Runnable task;
        while (count < tasksPerCycle && ((task = tasks.poll()) != null || (task = overflow.poll()) != null))
        {
            if (count == 0)
            {
                tasksStartedAt = System.nanoTime();
            }
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
        if (sleep != null && !terminated)
        {
            sleep.wakeUp();
        }
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
