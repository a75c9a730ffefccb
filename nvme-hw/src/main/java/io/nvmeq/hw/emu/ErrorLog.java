package io.nvmeq.hw.emu;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Error Information log (NVMe base spec 2.0 §5.16.1.2, log page 01h): the latest errors, newest
 * first, in a ring of fixed arrays. Commands that complete with an error and invalid doorbell writes
 * (Command Identifier FFFFh) are recorded. Identify ELPE reports the ring's size.
 */
final class ErrorLog
{
    static final int ENTRIES = 16;
    static final int ENTRY_SIZE = 64;
    static final int SIZE = ENTRIES * ENTRY_SIZE;
    /** Command Identifier / Parameter Error Location value meaning "not tied to a command / field". */
    static final int NOT_SPECIFIC = 0xFFFF;

    private final long[] errorCount = new long[ENTRIES];
    private final int[] sqId = new int[ENTRIES];
    private final int[] cid = new int[ENTRIES];
    private final int[] status = new int[ENTRIES];
    private final int[] nsid = new int[ENTRIES];
    private final long[] lba = new long[ENTRIES];
    private long total;

    synchronized void record(final int sqId, final int cid, final int status, final int nsid, final long lba)
    {
        final int at = (int)(total % ENTRIES);
        total++;
        this.errorCount[at] = total;
        this.sqId[at] = sqId;
        this.cid[at] = cid;
        this.status[at] = status;
        this.nsid[at] = nsid;
        this.lba[at] = lba;
    }

    /** Errors recorded since the controller was created (SMART "Number of Error Information Log Entries"). */
    synchronized long total()
    {
        return total;
    }

    /** Writes the log, {@link #SIZE} bytes, at {@code offset} of {@code data}; unused entries are zero. */
    synchronized void fill(final UnsafeBuffer data, final int offset)
    {
        data.setMemory(offset, SIZE, (byte)0);
        final int used = (int)Math.min(total, ENTRIES);
        for (int i = 0; i < used; i++)
        {
            final int at = (int)((total - 1 - i) % ENTRIES);
            final int base = offset + i * ENTRY_SIZE;
            data.putLong(base, errorCount[at]);
            data.putShort(base + 8, (short)sqId[at]);
            data.putShort(base + 10, (short)cid[at]);
            // Status Field as in the completion, bits 15:1; bit 0 is the phase tag, not meaningful here.
            data.putShort(base + 12, (short)(status[at] << 1));
            data.putShort(base + 14, (short)NOT_SPECIFIC);
            data.putLong(base + 16, lba[at]);
            data.putInt(base + 24, nsid[at]);
        }
    }
}
