package io.nvmeq.hw.emu;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.CompletionEntry;

/**
 * A completion queue ring in host memory, written through the IOMMU with phase tags (NVMe base spec
 * 2.0 §4.6 and §3.3.1.2 "Completion Queue Entries"). Several submission queues may share it, so its
 * state is guarded by its monitor.
 *
 * <p>Submission queues reserve a slot before they fetch a command, so that a command is only executed
 * when its completion has room: a full queue holds commands back in the submission queue (their
 * completions are posted once the host frees space through the head doorbell, or on a poll) instead of
 * dropping or overwriting completions.
 */
final class CompletionQueue
{
    final int qid;
    final long baseIova;
    final int size;
    private final EmulatedIommu iommu;
    private final UnsafeBuffer slot = new UnsafeBuffer(0, 0);
    private final CompletionEntry entry = new CompletionEntry();

    private int head;
    private int tail;
    private int phase = 1;
    private int reserved;
    /** Submission queues completing here; copy-on-write so that polls read it without the lock. */
    private volatile SubmissionQueue[] attached = new SubmissionQueue[0];

    CompletionQueue(final int qid, final long baseIova, final int size, final EmulatedIommu iommu)
    {
        this.qid = qid;
        this.baseIova = baseIova;
        this.size = size;
        this.iommu = iommu;
    }

    /** Reserves up to {@code wanted} slots; returns how many it got (0 when the queue is full). */
    synchronized int reserve(final int wanted)
    {
        final int used = tail >= head ? tail - head : tail + size - head;
        final int free = size - 1 - used - reserved;
        final int granted = Math.min(wanted, free);
        reserved += granted;
        return granted;
    }

    /** Gives back a reservation for a command that completes later or never (an Async Event Request). */
    synchronized void release()
    {
        reserved--;
    }

    /**
     * Posts a completion into a reserved slot. Returns false if the slot's IOVA is not mapped
     * (an IOMMU fault: the host broke the queue, which is fatal to the controller).
     */
    synchronized boolean post(final int dw0, final int sqHead, final int sqId, final int cid, final int status)
    {
        reserved--;
        final long address = iommu.translate(baseIova + (long)tail * CompletionEntry.SIZE, CompletionEntry.SIZE);
        if (address == EmulatedIommu.FAULT)
        {
            return false;
        }
        slot.wrap(address, CompletionEntry.SIZE);
        entry.wrap(slot, 0).post(dw0, sqHead, sqId, cid, status, phase);
        if (++tail == size)
        {
            tail = 0;
            phase ^= 1;
        }
        return true;
    }

    /**
     * The host consumed entries up to {@code newHead}. Returns false for a value the spec calls an
     * Invalid Doorbell Write Value (past the queue, or beyond what was posted); it is then ignored.
     */
    synchronized boolean headDoorbell(final int newHead)
    {
        if (newHead < 0 || newHead >= size)
        {
            return false;
        }
        final int posted = tail >= head ? tail - head : tail + size - head;
        final int consumed = newHead >= head ? newHead - head : newHead + size - head;
        if (consumed > posted)
        {
            return false;
        }
        head = newHead;
        return true;
    }

    synchronized void attach(final SubmissionQueue sq)
    {
        final SubmissionQueue[] current = attached;
        final SubmissionQueue[] next = new SubmissionQueue[current.length + 1];
        System.arraycopy(current, 0, next, 0, current.length);
        next[current.length] = sq;
        attached = next;
    }

    synchronized void detach(final SubmissionQueue sq)
    {
        final SubmissionQueue[] current = attached;
        int at = -1;
        for (int i = 0; i < current.length; i++)
        {
            if (current[i] == sq)
            {
                at = i;
            }
        }
        if (at < 0)
        {
            return;
        }
        final SubmissionQueue[] next = new SubmissionQueue[current.length - 1];
        System.arraycopy(current, 0, next, 0, at);
        System.arraycopy(current, at + 1, next, at, current.length - at - 1);
        attached = next;
    }

    boolean hasAttached()
    {
        return attached.length > 0;
    }

    /**
     * Lets submission queues that stalled on a full completion queue run again. Cheap when none
     * stalled: one volatile read per attached queue, no lock, no allocation.
     */
    void resumeStalled()
    {
        final SubmissionQueue[] queues = attached;
        for (int i = 0; i < queues.length; i++)
        {
            if (queues[i].isStalled())
            {
                queues[i].process();
            }
        }
    }
}
