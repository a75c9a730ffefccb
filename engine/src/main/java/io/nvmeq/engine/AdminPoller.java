package io.nvmeq.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * The owner of the admin queue (Aeron's conductor to the queue pairs' agents): one thread that submits
 * admin commands, polls their completions, runs the controller reset state machine and keeps the
 * registry of I/O queues a reset re-creates. Every other thread only hands it work ({@link #execute},
 * {@link #call}, the {@link QueueHost} requests) and is answered by callback or future; no data-path
 * thread ever waits for an admin command. The thread parks while nothing is outstanding and polls
 * every {@value #BUSY_PARK_MICROS} µs while something is.
 */
final class AdminPoller implements QueueHost
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminPoller.class);
    private static final long BUSY_PARK_MICROS = 20;
    /** How often CSTS is read while admin commands are outstanding and no reset runs. */
    private static final long STATUS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Any generation: a command that survives a reset (held while it runs, submitted after). */
    private static final int ANY_GENERATION = Integer.MIN_VALUE;

    /** A command waiting to be submitted; one bound to a generation is answered ABORTED_BY_RESET once that ended. */
    private record Pending(AdminCommand command, AdminCallback callback, int generation)
    {
    }

    private final String uri;
    private final AdminQueuePair queue;
    private final RegisterSpace registers;
    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Commands waiting for a free admin command id, or for a reset to end. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** I/O queues by id that a reset re-creates; touched on the admin thread only. */
    private final QueuePair[] ioQueues;
    /** Given up by their owners while the controller may still use them: freed once it is disabled. */
    private final List<QueuePair> unconfirmed = new ArrayList<>();
    /** Times the controller was seen disabled (CSTS.RDY = 0 in a reset, or failed); admin thread only. */
    private int disables;
    private final Thread thread;
    private ControllerReset reset;
    private long nextStatusCheck;

    private volatile boolean running = true;
    /** The controller is being closed: it is disabled at the end anyway, so no reset starts. */
    private volatile boolean closing;
    private volatile int generation;
    private volatile int readyGeneration;
    private volatile boolean failed;
    private volatile boolean resetting;
    private volatile long resets;

    AdminPoller(final String uri, final AdminQueuePair queue, final RegisterSpace registers, final int maxQueueId)
    {
        this.uri = uri;
        this.queue = queue;
        this.registers = registers;
        this.ioQueues = new QueuePair[maxQueueId + 1];
        this.thread = new Thread(this::run, "nvmeq-admin " + uri);
        thread.setDaemon(true);
    }

    /** Starts the thread; from then on the admin queue belongs to it. */
    void start(final ControllerReset controllerReset)
    {
        this.reset = controllerReset;
        thread.start();
    }

    /** Stops the thread once it has run what it was handed; outstanding commands are answered CONTROLLER_FAILED. */
    void stop()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Close has begun: no reset starts from now on (the close disables the controller itself). */
    void closing()
    {
        closing = true;
    }

    boolean onAdminThread()
    {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the admin thread. Thread-safe; never waits. */
    void execute(final Runnable task)
    {
        inbox.add(task);
        LockSupport.unpark(thread);
    }

    /**
     * On the admin thread: submits {@code command}, or holds it while the queue is full or a reset runs.
     * After a failed reset it is answered {@link HostStatus#CONTROLLER_FAILED} at once.
     */
    void submit(final AdminCommand command, final AdminCallback callback)
    {
        submitIn(ANY_GENERATION, command, callback);
    }

    /**
     * As {@link #submit}, but only within controller generation {@code bound}: once a reset began it is
     * answered {@link HostStatus#ABORTED_BY_RESET} instead of being sent to the controller the reset
     * brought up (a queue's Delete must never reach the queue a reset re-created).
     */
    void submitIn(final int bound, final AdminCommand command, final AdminCallback callback)
    {
        if (failed)
        {
            callback.onAdminCompletion(HostStatus.CONTROLLER_FAILED, 0);
            return;
        }
        if (bound != ANY_GENERATION && bound != generation)
        {
            callback.onAdminCompletion(HostStatus.ABORTED_BY_RESET, 0);
            return;
        }
        if (!waiting.isEmpty() || reset.busy() || !queue.submit(command, callback, System.nanoTime()))
        {
            waiting.addLast(new Pending(command, callback, bound));
        }
    }

    /** From any thread: submits {@code command}; the future gets DW0 of its completion, or the typed error. */
    CompletableFuture<Integer> call(final AdminCommand command)
    {
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        execute(() -> submit(command, (status, dw0) ->
        {
            if (Status.isSuccess(status) && !HostStatus.isHostStatus(status))
            {
                result.complete(dw0);
            }
            else
            {
                result.completeExceptionally(HostStatus.exceptionFor(command.opcode(), true, status));
            }
        }));
        return result;
    }

    /**
     * Bring-up and close only, never on a data path: {@link #call} and wait for the answer. The admin
     * queue's own deadline answers every command, so the wait is bounded by it.
     */
    int execute(final AdminCommand command)
    {
        if (onAdminThread())
        {
            throw new IllegalStateException("the admin thread cannot wait for its own admin command");
        }
        return await(call(command), command.name());
    }

    /** Waits for an admin future, bounded by the admin deadline plus the longest reset; unwraps its error. */
    <T> T await(final CompletableFuture<T> future, final String what)
    {
        final long bound = queue.timeoutNanos() + reset.maxDurationNanos() + TimeUnit.SECONDS.toNanos(1);
        try
        {
            return future.get(bound, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof NvmeException nvme)
            {
                throw nvme;
            }
            throw new ControllerFatalException(uri + ": " + what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new ControllerTimeoutException(uri + ": " + what + " got no answer within "
                + TimeUnit.NANOSECONDS.toMillis(bound) + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ControllerTimeoutException(uri + ": interrupted while waiting for " + what);
        }
    }

    // ---------------------------------------------------------------- the I/O queue registry (admin thread)

    QueuePair registered(final int qid)
    {
        return ioQueues[qid];
    }

    void register(final QueuePair queuePair)
    {
        ioQueues[queuePair.id()] = queuePair;
    }

    void unregister(final QueuePair queuePair)
    {
        if (ioQueues[queuePair.id()] == queuePair)
        {
            ioQueues[queuePair.id()] = null;
        }
    }

    /**
     * The controller refused to delete one of {@code queuePair}'s queues: it may still use them, so it
     * is reset (disabling it stops all its DMA); see {@link #holdUnconfirmed}.
     */
    void deletionRefused(final QueuePair queuePair, final String what)
    {
        queuePair.recovery.refusedAtDisable = disables;
        resetNow("the controller refused " + what + " of I/O queue " + queuePair.id());
    }

    /** On the admin thread: a reset begins now, unless one runs already (or the controller failed or closes). */
    void resetNow(final String reason)
    {
        startReset(generation, reason, null);
    }

    /** On the admin thread: {@code done} completes when the reset under way ends, or now if none runs. */
    void whenResetDone(final CompletableFuture<Void> done)
    {
        if (reset.busy())
        {
            reset.whenDone(done);
        }
        else
        {
            done.complete(null);
        }
    }

    /**
     * Its owner gave up a queue pair whose deletion was not confirmed: its memory and the buffers of its
     * requests stay until the controller has been disabled since the refusal (at once if it has been),
     * then its requests are answered and its memory freed ({@link QueueRecovery#releaseAfterDisable}).
     */
    void holdUnconfirmed(final QueuePair queuePair)
    {
        final int refused = queuePair.recovery.refusedAtDisable;
        if (failed || (refused >= 0 && refused != disables))
        {
            queuePair.recovery.releaseAfterDisable();
            return;
        }
        unconfirmed.add(queuePair);
        if (refused < 0 && !closing)
        {
            // No answer was seen (the owner stopped waiting for one): the controller may hold it all the same.
            queuePair.recovery.refusedAtDisable = disables;
            startReset(generation, "no confirmed deletion of I/O queue " + queuePair.id(), null);
        }
    }

    /** Whether queues wait for the controller to be disabled; admin thread, or after it stopped. */
    boolean holdsUnconfirmed()
    {
        return !unconfirmed.isEmpty();
    }

    /** The controller is disabled now (CSTS.RDY = 0 in a reset, or failed, or closed): it has let go of every queue. */
    void controllerDisabled()
    {
        disables++;
        for (final QueuePair queuePair : unconfirmed)
        {
            try
            {
                queuePair.recovery.releaseAfterDisable();
            }
            catch (final RuntimeException ex)
            {
                LOG.error("{}: releasing I/O queue {} after the controller let go of it failed", uri, queuePair.id(), ex);
            }
        }
        unconfirmed.clear();
    }

    List<QueuePair> registeredQueues()
    {
        final List<QueuePair> queues = new ArrayList<>();
        for (final QueuePair queuePair : ioQueues)
        {
            if (queuePair != null)
            {
                queues.add(queuePair);
            }
        }
        return queues;
    }

    // ---------------------------------------------------------------- QueueHost

    @Override
    public int generation()
    {
        return generation;
    }

    @Override
    public int readyGeneration()
    {
        return readyGeneration;
    }

    @Override
    public boolean isFailed()
    {
        return failed;
    }

    @Override
    public int readStatus()
    {
        return registers.read32(Registers.CSTS);
    }

    @Override
    public void requestAbort(final int observedGeneration, final int sqid, final int commandId)
    {
        execute(() ->
        {
            if (observedGeneration != generation)
            {
                return; // the reset since has dealt with the command
            }
            submit(AdminCommand.abort(sqid, commandId), (status, dw0) ->
            {
                if (!Status.isSuccess(status) || HostStatus.isHostStatus(status))
                {
                    startReset(observedGeneration, "Abort of command " + commandId + " on queue " + sqid + " failed: "
                        + HostStatus.describe(status), null);
                }
            });
        });
    }

    @Override
    public void requestReset(final int observedGeneration, final String reason)
    {
        execute(() -> startReset(observedGeneration, reason, null));
    }

    /** From any thread: a reset now (unless one runs: then its end); the future completes when it ended. */
    CompletableFuture<Void> reset(final String reason)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> startReset(generation, reason, done));
        return done;
    }

    boolean resetting()
    {
        return resetting;
    }

    long resetCount()
    {
        return resets;
    }

    // ---------------------------------------------------------------- for ControllerReset (admin thread)

    /** Submits a command of the reset itself, ahead of everything waiting. */
    boolean submitNow(final AdminCommand command, final AdminCallback callback)
    {
        return queue.submit(command, callback, System.nanoTime());
    }

    /** A reset begins: queue owners stop ringing doorbells from now on. */
    void resetBegins()
    {
        resets++;
        resetting = true;
        generation++;
    }

    /** A reset ended; the queue owners may reconnect (or, if it failed, fail their commands). */
    void resetEnded(final boolean resetFailed)
    {
        if (resetFailed)
        {
            failed = true;
        }
        readyGeneration = generation;
        resetting = false;
        if (resetFailed)
        {
            Pending pending;
            while ((pending = waiting.pollFirst()) != null)
            {
                pending.callback().onAdminCompletion(HostStatus.CONTROLLER_FAILED, 0);
            }
        }
    }

    AdminQueuePair queue()
    {
        return queue;
    }

    // ---------------------------------------------------------------- the thread

    private void startReset(final int observedGeneration, final String reason, final CompletableFuture<Void> done)
    {
        final boolean start = running && !closing && observedGeneration == generation && !failed && !reset.busy();
        if (done != null)
        {
            if (start || reset.busy())
            {
                reset.whenDone(done);
            }
            else
            {
                done.complete(null);
            }
        }
        if (start)
        {
            reset.start(reason, System.nanoTime());
        }
    }

    private void run()
    {
        while (running || !inbox.isEmpty())
        {
            Runnable task;
            while ((task = inbox.poll()) != null)
            {
                try
                {
                    task.run();
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("{}: admin task failed", uri, ex);
                }
            }
            final long now = System.nanoTime();
            try
            {
                submitWaiting(now);
                queue.poll(now);
                if (reset.busy())
                {
                    reset.step(now);
                }
                else if (queue.outstanding() > 0 && now - nextStatusCheck > 0)
                {
                    nextStatusCheck = now + STATUS_CHECK_NANOS;
                    checkStatus();
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("{}: admin poll failed", uri, ex);
            }
            if (!running)
            {
                continue;
            }
            if (queue.outstanding() > 0 || reset.busy() || !waiting.isEmpty())
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(BUSY_PARK_MICROS));
            }
            else if (inbox.isEmpty())
            {
                LockSupport.park(this);
            }
        }
        queue.failOutstanding(HostStatus.CONTROLLER_FAILED);
        Pending pending;
        while ((pending = waiting.pollFirst()) != null)
        {
            pending.callback().onAdminCompletion(HostStatus.CONTROLLER_FAILED, 0);
        }
    }

    private void submitWaiting(final long now)
    {
        Pending pending;
        while (!reset.busy() && (pending = waiting.peekFirst()) != null)
        {
            if (pending.generation() != ANY_GENERATION && pending.generation() != generation)
            {
                waiting.pollFirst();
                pending.callback().onAdminCompletion(HostStatus.ABORTED_BY_RESET, 0);
            }
            else if (queue.submit(pending.command(), pending.callback(), now))
            {
                waiting.pollFirst();
            }
            else
            {
                break;
            }
        }
    }

    /** Admin commands outstanding on a controller that failed will never complete: reset it. */
    private void checkStatus()
    {
        final int csts = registers.read32(Registers.CSTS);
        if (Registers.isFatal(csts))
        {
            startReset(generation, csts == -1 ? "CSTS reads all ones (surprise removal?)"
                : "controller fatal status (CSTS.CFS) with admin commands outstanding", null);
        }
    }
}
