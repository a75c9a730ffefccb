package io.nvmeq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;

/**
 * Deadlines, Abort and reconnection after a controller reset, for one {@link QueuePair} (SPDK's qpair
 * timeout and reconnect logic), on the queue pair's owner thread. It only asks the admin side
 * ({@link QueueHost}) for an Abort or a reset, and never waits for either:
 * <ol>
 *   <li>Each command's deadline starts when its doorbell is rung; now and then (and whenever a poll
 *       reaped nothing) the deadlines of what is in flight are checked, with CSTS.</li>
 *   <li>An expired command is looked for in the CQ once more, then an Abort is asked for and the
 *       command gets a second deadline; if that passes too, or CSTS is fatal, a reset is asked for.</li>
 *   <li>When a reset begins the host's generation moves on: the queue rings no doorbell and takes no
 *       new command. Once the reset has re-created the I/O queues, {@link #reconnect()} takes what the
 *       CQ still holds, clears the rings and resubmits each outstanding command up to the retry bound,
 *       failing the rest with a {@link HostStatus} (or all of them if the controller failed).</li>
 * </ol>
 */
final class QueueRecovery
{
    private static final long NOT_RUNG = CommandTable.NOT_RUNG;
    private static final int POLLS_PER_DEADLINE_CHECK = 16;
    private static final VarHandle RINGING;

    static
    {
        try
        {
            RINGING = MethodHandles.lookup().findVarHandle(QueueRecovery.class, "ringing", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final QueuePair queue;
    private final QueueHost host;
    private final IoCounters counters;
    private final int capacity;
    private final int id;
    private final long timeoutNanos;
    private final long deadlineScanNanos;
    private final int maxRetries;

    private int generation;
    /**
     * The owner asked for this queue alone to be reconnected ({@link #detach()}) and has not yet taken it
     * back: it rings nothing meanwhile. Owner thread only.
     */
    private boolean detached;
    /** Reconnections of this queue alone asked for by the owner; owner thread only. */
    private int reconnectsAsked;
    /** The last of them whose queues exist again (or that a reset covered); written on the admin thread. */
    private volatile int reconnectsDone;
    /** Both halves of the queue's deletion were confirmed by the controller (or it was disabled meanwhile). */
    private volatile boolean deletionConfirmed;
    /** The controller's disable count when a deletion of this queue was refused; admin thread only. */
    int refusedAtDisable = -1;
    /**
     * Set around each doorbell write (volatile: setting it is ordered against the reset's move of the
     * generation, a full fence; clearing it needs only to follow the write, a release store, {@link #RINGING}).
     */
    private volatile boolean ringing;
    private boolean recovering;
    private boolean dead;
    /** A reset was asked for in this generation: deadlines wait for it. */
    private boolean resetRequested;
    private int pollsSinceDeadlineCheck;
    private long nextDeadlineScan;

    QueueRecovery(final QueuePair queue, final QueueHost host, final IoCounters counters, final long timeoutNanos,
        final int maxRetries)
    {
        this.queue = queue;
        this.host = host;
        this.counters = counters;
        this.capacity = queue.capacity();
        this.id = queue.id();
        this.timeoutNanos = timeoutNanos;
        this.deadlineScanNanos = Math.max(1_000_000L, Math.min(timeoutNanos / 4, 100_000_000L));
        this.maxRetries = maxRetries;
    }

    /**
     * Writes one of this queue's doorbells unless a reset began since the queue was (re)connected. The
     * check and the write are one step as far as a reset can tell: {@link #inDoorbellWrite()} is true
     * between them, and the reset does not disable the controller (after which it re-creates the queues,
     * indices at 0) until it reads false. A write the owner was about to make when the reset began would
     * otherwise land on the re-created queue: an old tail makes the device run stale entries and post
     * completions where the owner, its rings cleared, never looks, and every later command stalls.
     *
     * @return false if a reset began: nothing was written
     */
    boolean writeDoorbell(final RegisterSpace registers, final int offset, final int value)
    {
        ringing = true;
        try
        {
            if (host.generation() != generation)
            {
                return false;
            }
            registers.write32(offset, value);
            return true;
        }
        finally
        {
            RINGING.setRelease(this, false);
        }
    }

    /** On the admin thread, after the generation moved: whether the owner may still write an old doorbell. */
    boolean inDoorbellWrite()
    {
        return ringing;
    }

    /** Whether the device holds this queue's queues as the owner knows them (no reset, no reconnection since). */
    boolean connected()
    {
        return !detached && host.generation() == generation;
    }

    /**
     * On the owner's thread: the queue stops ringing at once, and the admin side is to delete and re-create
     * its queues in place (same rings); {@link #reconnect()} takes it back once {@link #reconnected} says so.
     *
     * @return the number of this reconnection, for {@link #reconnected}
     */
    int detach()
    {
        detached = true;
        return ++reconnectsAsked;
    }

    /** Whether the owner detached the queue and has not yet taken it back; owner thread. */
    boolean detached()
    {
        return detached;
    }

    /** On the admin thread: reconnection {@code ticket} is done (its queues exist again, or a reset covers it). */
    void reconnected(final int ticket)
    {
        reconnectsDone = ticket;
    }

    /** On the admin thread: the controller confirmed deleting both queues (or holds none any more). */
    void deletionConfirmed()
    {
        deletionConfirmed = true;
    }

    /** Whether the controller let go of this queue: until then its memory and its requests' buffers stay. */
    boolean isDeletionConfirmed()
    {
        return deletionConfirmed;
    }

    /** Its queues were just created in controller generation {@code current}; on the admin thread, before publication. */
    void connectedTo(final int current)
    {
        generation = current;
    }

    /** The queue is being reconnected: a retryable error is resubmitted with the others, not now. */
    boolean recovering()
    {
        return recovering;
    }

    /** The controller failed: nothing more can be submitted. */
    boolean dead()
    {
        return dead;
    }

    long timeoutNanos()
    {
        return timeoutNanos;
    }

    /** After a poll's reap: checks the deadlines now and then, and whenever nothing was reaped. */
    void afterReap(final int reaped, final int inFlight)
    {
        if (inFlight > 0 && !resetRequested && (reaped == 0 || ++pollsSinceDeadlineCheck >= POLLS_PER_DEADLINE_CHECK))
        {
            pollsSinceDeadlineCheck = 0;
            checkDeadlines();
        }
    }

    private void checkDeadlines()
    {
        final long now = System.nanoTime();
        if (now - nextDeadlineScan < 0)
        {
            return;
        }
        nextDeadlineScan = now + deadlineScanNanos;
        final int csts = host.readStatus();
        if (Registers.isFatal(csts))
        {
            counters.fatalStatusSeen.increment();
            askForReset(csts == -1 ? "CSTS reads all ones (surprise removal?)" : "controller fatal status (CSTS.CFS)");
            return;
        }
        final long[] deadlines = queue.table.deadline;
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            final long deadline = deadlines[commandId];
            if (queue.table.request[commandId] != CommandTable.NONE && deadline != NOT_RUNG && now - deadline > 0)
            {
                if (expired(commandId, now))
                {
                    return;
                }
            }
        }
    }

    /** Linux's escalation for one expired command. @return true if a controller reset was asked for. */
    private boolean expired(final int commandId, final long now)
    {
        final int sequence = queue.table.sequence[commandId];
        // 1. Maybe only the completion was not seen yet.
        queue.reap(capacity);
        if (queue.table.request[commandId] == CommandTable.NONE || queue.table.sequence[commandId] != sequence
            || queue.table.deadline[commandId] == NOT_RUNG)
        {
            return false;
        }
        if (!queue.table.aborted[commandId])
        {
            // 2. Ask for an Abort and give the command a second deadline to complete (aborted or not); if
            //    the Abort itself fails, the admin side resets the controller.
            queue.table.aborted[commandId] = true;
            queue.table.deadline[commandId] = now + timeoutNanos;
            counters.aborts.increment();
            host.requestAbort(generation, id, commandId);
            return false;
        }
        // 3. Still nothing: ask for a controller reset.
        queue.table.timedOut[commandId] = true;
        counters.timeouts.increment();
        askForReset("command " + commandId + " on queue " + id + " timed out after Abort");
        return true;
    }

    private void askForReset(final String reason)
    {
        resetRequested = true;
        host.requestReset(generation, reason);
    }

    /**
     * Brings the queue back after a controller reset or its own reconnection ({@link #detach()}), on the
     * owner's thread, once its queues exist again. The device stopped using them in between (disabled, or
     * it confirmed deleting them): nothing it could still write lands in our memory.
     *
     * @return false if the reset is still under way
     */
    boolean reconnect()
    {
        if (detached && reconnectsDone != reconnectsAsked)
        {
            return false; // its own deletion and re-creation is still under way
        }
        final int ready = host.readyGeneration();
        final int current = host.generation();
        if (ready != current)
        {
            return false;
        }
        counters.recoveries.increment();
        recovering = true;
        try
        {
            // Completions the device posted before it stopped are real: take them.
            queue.reap(capacity, false);
            queue.resetRings();
            generation = current;
            detached = false;
            resetRequested = false;
            if (host.isFailed())
            {
                dead = true;
                queue.failOutstanding(HostStatus.CONTROLLER_FAILED);
                return true;
            }
            for (int commandId = 0; commandId < capacity; commandId++)
            {
                if (queue.table.request[commandId] == CommandTable.NONE)
                {
                    continue;
                }
                if (queue.table.timedOut[commandId])
                {
                    queue.finishCommand(commandId, HostStatus.TIMED_OUT);
                }
                else if (queue.retriesAllowed && queue.table.retries[commandId] < maxRetries)
                {
                    queue.table.retries[commandId]++;
                    counters.retries.increment();
                    queue.resubmit(commandId);
                }
                else
                {
                    queue.finishCommand(commandId, resetStatus(commandId));
                }
            }
        }
        finally
        {
            recovering = false;
        }
        return true;
    }

    /** The answer says what happened: never rung (first attempt) means it did nothing, else the outcome is unknown. */
    private int resetStatus(final int commandId)
    {
        final boolean neverRung = queue.table.deadline[commandId] == NOT_RUNG && queue.table.retries[commandId] == 0;
        return neverRung ? HostStatus.NOT_SUBMITTED_BEFORE_RESET : HostStatus.ABORTED_BY_RESET;
    }

    /**
     * A queue whose deletion the controller did not confirm, once the controller has been disabled since
     * (by a reset or on close): it no longer touches the queue's memory, so what its CQ holds is taken, the
     * rest is answered (outcome unknown if it was rung, "did nothing" if not) and the memory is freed. On
     * the thread that saw the controller disabled: the owner gave the queue up ({@code releaseQueuePair}).
     */
    void releaseAfterDisable()
    {
        queue.reap(capacity, false);
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            if (queue.table.request[commandId] != CommandTable.NONE)
            {
                queue.finishCommand(commandId, resetStatus(commandId));
            }
        }
        queue.release();
    }
}
