package io.nvmeq.hw.spec;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over a 16-byte completion queue entry (NVMe base spec 2.0 §4.6, Figure 89).
 *
 * <p>The last 16-bit word holds the phase tag (bit 0) and the status field (bits 15:1). A controller
 * writes the rest of the entry first and that word last, with release semantics; a host reads that
 * word first, with acquire semantics, and only then the rest.
 */
public final class CompletionEntry
{
    public static final int SIZE = 16;

    public static final int DW0_OFFSET = 0;
    public static final int DW1_OFFSET = 4;
    public static final int SQ_HEAD_OFFSET = 8;
    public static final int SQ_ID_OFFSET = 10;
    public static final int CID_OFFSET = 12;
    public static final int STATUS_PHASE_OFFSET = 14;

    private UnsafeBuffer buffer;
    private int offset;

    public CompletionEntry wrap(final UnsafeBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** The status-and-phase word, read with acquire semantics. */
    public int statusPhaseVolatile()
    {
        return buffer.getShortVolatile(offset + STATUS_PHASE_OFFSET) & 0xFFFF;
    }

    public static int phaseOf(final int statusPhase)
    {
        return statusPhase & 1;
    }

    public static int statusOf(final int statusPhase)
    {
        return statusPhase >>> 1;
    }

    public int dw0()
    {
        return buffer.getInt(offset + DW0_OFFSET);
    }

    public int dw1()
    {
        return buffer.getInt(offset + DW1_OFFSET);
    }

    public int sqHead()
    {
        return buffer.getShort(offset + SQ_HEAD_OFFSET) & 0xFFFF;
    }

    public int sqId()
    {
        return buffer.getShort(offset + SQ_ID_OFFSET) & 0xFFFF;
    }

    public int commandId()
    {
        return buffer.getShort(offset + CID_OFFSET) & 0xFFFF;
    }

    /**
     * Writes a whole entry as a controller does: everything but the last dword, then that dword (the
     * command id beside the status and phase) with release semantics, so that a host that sees the new
     * phase sees the rest too.
     */
    public void post(final int dw0, final int sqHead, final int sqId, final int cid, final int status, final int phase)
    {
        // DW0 and DW1 (reserved, zero) as one store, DW2 as one, then DW3 (command id and the
        // status-and-phase word) with a release store: no full fence per entry.
        buffer.putLong(offset + DW0_OFFSET, dw0 & 0xFFFF_FFFFL);
        buffer.putInt(offset + SQ_HEAD_OFFSET, (sqHead & 0xFFFF) | (sqId << 16));
        buffer.putIntOrdered(offset + CID_OFFSET, (cid & 0xFFFF) | (((status << 1) | (phase & 1)) << 16));
    }
}
