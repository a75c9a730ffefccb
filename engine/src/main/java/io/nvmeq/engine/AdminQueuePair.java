package io.nvmeq.engine;

import java.lang.invoke.VarHandle;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The admin submission and completion queue (queue id 0), asynchronous: {@link #submit} writes an entry
 * and rings the doorbell, {@link #poll} reaps completions and passes each to its command's
 * {@link AdminCallback}, and answers a command whose deadline passed with {@link HostStatus#TIMED_OUT}.
 * Nothing here waits. Confined to one thread: the controller's {@link AdminPoller} (or, before it
 * starts, the thread bringing the controller up).
 *
 * <p>A command answered by its deadline keeps its command id until its late completion arrives or the
 * rings are reset, so that a late answer is never taken for another command's.
 */
final class AdminQueuePair
{
    private final int entries;
    private final int capacity;
    private final NvmeDevice device;
    private final RegisterSpace registers;
    private final int sqTailDoorbell;
    private final int cqHeadDoorbell;
    private final DmaBuffer sqRing;
    private final DmaBuffer cqRing;
    private final QueueRings rings;
    private final long timeoutNanos;
    private final SubmissionEntry sqe = new SubmissionEntry();

    private final AdminCallback[] callbacks;
    private final long[] deadlines;
    /** Answered by its deadline; the id stays taken until the device answers or the rings reset. */
    private final boolean[] abandoned;
    private final int[] freeIds;
    private int freeCount;

    AdminQueuePair(
        final int entries, final NvmeDevice device, final int doorbellStrideShift, final DmaBuffer sqRing,
        final DmaBuffer cqRing, final long timeoutNanos)
    {
        this.entries = entries;
        this.capacity = entries - 1;
        this.device = device;
        this.registers = device.registers();
        this.sqTailDoorbell = Registers.sqTailDoorbell(0, doorbellStrideShift);
        this.cqHeadDoorbell = Registers.cqHeadDoorbell(0, doorbellStrideShift);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.rings = new QueueRings(entries, sqRing.buffer(), cqRing.buffer());
        this.timeoutNanos = timeoutNanos;
        this.callbacks = new AdminCallback[capacity];
        this.deadlines = new long[capacity];
        this.abandoned = new boolean[capacity];
        this.freeIds = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeIds[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** Points the controller at the admin rings (AQA, ASQ, ACQ; §3.5.1 step 3); only while it is disabled. */
    void program()
    {
        registers.write32(Registers.AQA, Registers.aqa(entries, entries));
        registers.write64(Registers.ASQ, sqRing.iova());
        registers.write64(Registers.ACQ, cqRing.iova());
    }

    int entries()
    {
        return entries;
    }

    boolean isFull()
    {
        return freeCount == 0;
    }

    /** Commands whose ids are taken: outstanding, or answered by their deadline and not yet by the device. */
    int outstanding()
    {
        return capacity - freeCount;
    }

    /** The admin command deadline. */
    long timeoutNanos()
    {
        return timeoutNanos;
    }

    /**
     * Submits {@code command}; {@code callback} is called from a later {@link #poll} (or
     * {@link #failOutstanding}) exactly once.
     *
     * @return false if all command ids are taken: nothing was submitted.
     */
    boolean submit(final AdminCommand command, final AdminCallback callback, final long nowNanos)
    {
        if (freeCount == 0)
        {
            return false;
        }
        final int commandId = freeIds[--freeCount];
        callbacks[commandId] = callback;
        deadlines[commandId] = nowNanos + timeoutNanos;
        abandoned[commandId] = false;
        final UnsafeBuffer sq = rings.sq();
        final int offset = rings.tailOffset();
        command.writeTo(sqe.wrap(sq, offset).clear().commandId(commandId));
        rings.advanceTail();
        // The entry is plain stores into DMA memory; it must be visible before the device sees the tail.
        VarHandle.releaseFence();
        registers.write32(sqTailDoorbell, rings.sqTail());
        return true;
    }

    /**
     * Reaps what completed (one CQ head doorbell write), then answers commands past their deadline.
     *
     * @return completions reaped plus commands timed out.
     */
    int poll(final long nowNanos)
    {
        device.poll(0);
        int work = 0;
        while (true)
        {
            final int statusPhase = rings.headStatusPhase();
            if (statusPhase == QueueRings.NOTHING_POSTED)
            {
                break;
            }
            final int commandId = rings.head().commandId();
            final int dw0 = rings.head().dw0();
            rings.consumeHead();
            work++;
            if (commandId < capacity && callbacks[commandId] != null)
            {
                final AdminCallback callback = callbacks[commandId];
                final boolean late = abandoned[commandId];
                release(commandId);
                if (!late)
                {
                    callback.onAdminCompletion(CompletionEntry.statusOf(statusPhase), dw0);
                }
            }
        }
        if (work > 0)
        {
            registers.write32(cqHeadDoorbell, rings.cqHead());
        }
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            if (callbacks[commandId] != null && !abandoned[commandId] && nowNanos - deadlines[commandId] > 0)
            {
                abandoned[commandId] = true;
                work++;
                callbacks[commandId].onAdminCompletion(HostStatus.TIMED_OUT, 0);
            }
        }
        return work;
    }

    /** Answers every outstanding command with {@code status} and frees every id: the device dropped the queue. */
    void failOutstanding(final int status)
    {
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            final AdminCallback callback = callbacks[commandId];
            if (callback != null)
            {
                final boolean late = abandoned[commandId];
                release(commandId);
                if (!late)
                {
                    callback.onAdminCompletion(status, 0);
                }
            }
        }
    }

    /** Zeroes both rings and starts them afresh, as the controller does when it is disabled. */
    void resetRings()
    {
        rings.reset();
    }

    void release()
    {
        sqRing.close();
        cqRing.close();
    }

    private void release(final int commandId)
    {
        callbacks[commandId] = null;
        abandoned[commandId] = false;
        freeIds[freeCount++] = commandId;
    }
}
