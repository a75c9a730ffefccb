package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The ring state of one submission queue and its completion queue (NVMe base spec 2.0 §3.3.1), the
 * same for the admin queue pair and every I/O queue pair: the SQ tail the host writes entries at, the
 * CQ head it reaps from and the phase tag that tells a new completion entry from an old one. A final
 * class of plain fields with small methods, so the JIT inlines every call on the hot path; nothing here
 * allocates. Confined to the queue's owner thread; doorbells are the caller's to write.
 */
final class QueueRings
{
    /** {@link #headStatusPhase()} when the device has posted nothing new at the head. */
    static final int NOTHING_POSTED = -1;

    private final int entries;
    private final UnsafeBuffer sq;
    private final UnsafeBuffer cq;
    private final CompletionEntry cqe = new CompletionEntry();
    private int sqTail;
    private int cqHead;
    private int cqPhase = 1;

    QueueRings(final int entries, final UnsafeBuffer sq, final UnsafeBuffer cq)
    {
        this.entries = entries;
        this.sq = sq;
        this.cq = cq;
    }

    /** The submission ring in DMA memory. */
    UnsafeBuffer sq()
    {
        return sq;
    }

    /** The SQ slot the next entry goes to. */
    int sqTail()
    {
        return sqTail;
    }

    /** The byte offset of the SQ slot at the tail. */
    int tailOffset()
    {
        return sqTail * SubmissionEntry.SIZE;
    }

    /** The entry at the tail is written: the tail moves one slot on (wrapping). */
    void advanceTail()
    {
        sqTail = next(sqTail);
    }

    /** The slot after {@code slot}, wrapping at the end of the ring. */
    int next(final int slot)
    {
        return slot + 1 == entries ? 0 : slot + 1;
    }

    /** The CQ slot the next completion is reaped from (the value for the CQ head doorbell). */
    int cqHead()
    {
        return cqHead;
    }

    /**
     * The status-and-phase word of the completion entry at the CQ head, read with acquire semantics, if
     * its phase tag says the device posted it; {@link #NOTHING_POSTED} otherwise. The entry's other fields
     * are read through {@link #head()}, then {@link #consumeHead()} moves on.
     */
    int headStatusPhase()
    {
        cqe.wrap(cq, cqHead * CompletionEntry.SIZE);
        final int statusPhase = cqe.statusPhaseVolatile();
        return CompletionEntry.phaseOf(statusPhase) == cqPhase ? statusPhase : NOTHING_POSTED;
    }

    /** The completion entry at the head, as wrapped by the last {@link #headStatusPhase()}. */
    CompletionEntry head()
    {
        return cqe;
    }

    /** The entry at the head was taken: the head moves on, and the expected phase flips at the wrap. */
    void consumeHead()
    {
        if (++cqHead == entries)
        {
            cqHead = 0;
            cqPhase ^= 1;
        }
    }

    /**
     * Forgets all ring state, as the controller does when it is disabled or a queue is re-created: both
     * rings zeroed (so no old phase tag can pass for a new completion), indices back to 0, phase 1.
     */
    void reset()
    {
        sq.setMemory(0, sq.capacity(), (byte)0);
        cq.setMemory(0, cq.capacity(), (byte)0);
        sqTail = 0;
        cqHead = 0;
        cqPhase = 1;
    }
}
