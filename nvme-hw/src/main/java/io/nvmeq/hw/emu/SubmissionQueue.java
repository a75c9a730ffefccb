package io.nvmeq.hw.emu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.UnsafeAccess;

import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * A submission queue ring in host memory. A tail doorbell write fetches the new entries through the
 * IOMMU and executes them on the writer's thread ({@link #tailDoorbell}), or, with device threads,
 * only records the tail for the device's core to fetch ({@link #recordTail}): the data moves then. The completion is posted at once, or, under a latency model or an
 * injected delay, handed to the completion queue with its due time and posted by a later poll.
 * Its lock serialises the host's doorbell thread with the CQ head doorbell or poll that resumes a
 * queue stalled on a full completion queue, and with deletion.
 */
final class SubmissionQueue
{
    private static final VarHandle HEAD;

    static
    {
        try
        {
            HEAD = MethodHandles.lookup().findVarHandle(SubmissionQueue.class, "head", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final int qid;
    final long baseIova;
    final int size;
    final CompletionQueue cq;
    private final QueueMemory ring;
    private final EmulatedIommu iommu;
    private final CommandSet commands;
    private final EmulatedController controller;
    private final EmulatorCounters counters;
    private final FaultInjector faults;
    private final ServiceChannels channels;
    private final ErrorLog errorLog;
    private final CommandContext context;
    private final IoCounters io;
    private final boolean admin;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile int tail;
    /**
     * Next entry to fetch; written under the lock with a release store ({@link #HEAD}: no full fence per
     * command), read by other threads for completion entries and the tail doorbell's overrun check.
     */
    private volatile int head;
    /** Entries are waiting for completion queue space. */
    private volatile boolean stalled;
    private volatile boolean deleted;

    SubmissionQueue(
        final int qid, final long baseIova, final int size, final CompletionQueue cq, final CommandSet commands,
        final EmulatedController controller, final PrpList prps)
    {
        this.qid = qid;
        this.baseIova = baseIova;
        this.size = size;
        this.cq = cq;
        this.commands = commands;
        this.controller = controller;
        this.iommu = controller.iommu();
        this.ring = new QueueMemory(iommu, baseIova, (long)size * SubmissionEntry.SIZE);
        this.counters = controller.counters();
        this.faults = controller.faults();
        this.channels = controller.channels();
        this.errorLog = controller.errorLog();
        this.io = counters.forQueue();
        this.context = new CommandContext(qid, prps, io);
        this.admin = qid == EmulatedController.ADMIN_QUEUE_ID;
    }

    /**
     * Returns false for an Invalid Doorbell Write Value (ignored): a tail past the ring, or one that
     * would overrun entries the controller has not fetched yet (the new tail passes the head).
     */
    boolean tailDoorbell(final int newTail)
    {
        if (newTail < 0 || newTail >= size)
        {
            return false;
        }
        lock.lock();
        try
        {
            final int current = tail;
            final int waiting = distance(head, current);
            if (newTail != current && distance(head, newTail) < waiting)
            {
                return false;
            }
            tail = newTail;
            // Under the lock already: one lock per doorbell (a reentrant acquire costs a CAS as well).
            executeBatch();
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The doorbell of a controller with device threads: validates and records the tail, executes
     * nothing. No lock, so the host never waits for a batch the device executes: the head only moves
     * towards the tail, so a stale head makes the overrun check stricter, never looser, and a host
     * that only reuses entries a completion reported fetched is never refused.
     */
    boolean recordTail(final int newTail)
    {
        if (newTail < 0 || newTail >= size || deleted)
        {
            return newTail >= 0 && newTail < size;
        }
        final int current = tail;
        final int fetched = head;
        if (newTail != current && distance(fetched, newTail) < distance(fetched, current))
        {
            return false;
        }
        tail = newTail;
        return true;
    }

    /**
     * Waits until a device core fetched every entry up to the tail and finished the batch it executes
     * (bounded by {@code timeoutNanos}); returns whether it did. For a host that must know the device
     * is done with what it submitted, as a test checking that no completion was posted.
     */
    boolean awaitFetched(final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (head != tail && !deleted && controller.isRunning() && !stalled)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        lock.lock();
        lock.unlock();
        return true;
    }

    /** Entries wait to be fetched (a device core's cue). */
    boolean hasWork()
    {
        return head != tail && !deleted;
    }

    /** A device core may try again: the completion queue it stalled on has room now. */
    void unstall()
    {
        stalled = false;
    }

    int head()
    {
        return head;
    }

    boolean isStalled()
    {
        return stalled;
    }

    /** Fetches and executes every entry up to the tail that has room in the completion queue. */
    void process()
    {
        lock.lock();
        try
        {
            executeBatch();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void executeBatch()
    {
        while (!deleted && controller.isRunning())
        {
            final int currentTail = tail;
            if (head == currentTail)
            {
                return;
            }
            final int pending = distance(head, currentTail);
            int granted = cq.reserve(pending);
            if (granted == 0)
            {
                // Flag first, then look again: a head doorbell that freed space in between sees the flag.
                stalled = true;
                granted = cq.reserve(pending);
                if (granted == 0)
                {
                    return;
                }
            }
            if (stalled)
            {
                stalled = false;
            }
            // The interrupts of one chunk (the entries the tail showed, as far as the CQ has room) are raised at
            // its end: one fence for the chunk. Per chunk, not per doorbell loop, so that a host that keeps
            // ringing does not hold back the interrupts of what already completed; a single entry gains nothing.
            final boolean held = granted > 1 && cq.holdInterrupts();
            try
            {
                if (!executeChunk(granted))
                {
                    return;
                }
            }
            finally
            {
                if (held)
                {
                    cq.releaseInterrupts();
                }
            }
        }
    }

    /** Executes {@code granted} fetched entries; false if one could not be (the reservations left are returned). */
    private boolean executeChunk(final int granted)
    {
        for (int i = 0; i < granted; i++)
        {
            if (!executeNext())
            {
                for (int j = i + 1; j < granted; j++)
                {
                    cq.release();
                }
                return false;
            }
        }
        return true;
    }

    /** Stops the queue: nothing more is fetched from it. Waits for a command executing now. */
    void delete()
    {
        lock.lock();
        try
        {
            deleted = true;
            stalled = false;
            // Nothing executes here any more: what the queue counted joins the controller's totals.
            counters.retire(io);
        }
        finally
        {
            lock.unlock();
        }
    }

    private int distance(final int from, final int to)
    {
        return to >= from ? to - from : to + size - from;
    }

    private boolean executeNext()
    {
        final long entryOffset = (long)head * SubmissionEntry.SIZE;
        final long entryAddress = ring.address(entryOffset, SubmissionEntry.SIZE);
        if (entryAddress == EmulatedIommu.FAULT)
        {
            cq.release();
            controller.fatal("submission queue " + qid + " entry at unmapped IOVA 0x"
                + Long.toHexString(baseIova + entryOffset));
            return false;
        }
        // A private copy: the host rewriting its ring cannot change a command half-way. Eight qwords
        // cost less than Unsafe.copyMemory's checks and call for 64 bytes.
        final long copy = context.entryMemory.addressOffset();
        for (int i = 0; i < SubmissionEntry.SIZE; i += Long.BYTES)
        {
            UnsafeAccess.UNSAFE.putLong(copy + i, UnsafeAccess.UNSAFE.getLong(entryAddress + i));
        }
        iommu.accessed(entryAddress, SubmissionEntry.SIZE, false);
        HEAD.setRelease(this, head + 1 == size ? 0 : head + 1);
        final SubmissionEntry entry = context.entry;
        final int opcode = entry.opcode();
        context.dw0 = 0;
        final int injected = faults.injectedStatus(admin, opcode);
        if (!controller.isRunning())
        {
            // An injected fatal status or removal: the command is not executed and never completes.
            cq.release();
            return false;
        }
        final int status = injected != FaultInjector.NONE ? injected : commands.execute(context);
        if (status == CommandSet.NO_COMPLETION)
        {
            // An Async Event Request keeps its completion slot until an event completes it.
            return true;
        }
        final int cid = entry.commandId();
        final boolean success = Status.isSuccess(status);
        if (!success)
        {
            counters.errors.incrementAndGet();
            errorLog.record(qid, cid, status, entry.namespaceId(), admin ? 0 : entry.startingLba());
        }
        long due = 0;
        long now = 0;
        if (!admin && success && channels.isActive())
        {
            final long service = channels.serviceTime(opcode);
            if (service > 0)
            {
                now = System.nanoTime();
                due = channels.schedule(now, service);
            }
        }
        // A command already failed by injection is not also dropped or delayed: one fault per command.
        final long delay = injected == FaultInjector.NONE ? faults.completionDelay(admin) : 0;
        if (delay == FaultInjector.DROPPED)
        {
            due = CompletionQueue.NEVER;
        }
        else if (delay > 0)
        {
            due = Math.max(due, now == 0 ? System.nanoTime() : now) + delay;
        }
        if (!cq.complete(context.dw0, head, qid, cid, status, due))
        {
            controller.fatal("completion queue " + cq.qid + " is not mapped");
            return false;
        }
        return true;
    }
}
