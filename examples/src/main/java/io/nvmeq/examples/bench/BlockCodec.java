package io.nvmeq.examples.bench;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code --verify=crc32c}: the self-describing content of a verified block (one block = one {@code bs}-sized
 * I/O unit). Its header names where it belongs and which write produced it, and a CRC-32C covers everything
 * after the checksum field, so that a read finds a corrupted, misplaced, stale or never-written block and can
 * say which one.
 *
 * <pre>
 *   0  magic "NVQB"       4  crc32c of bytes 8..bs
 *   8  byte offset of the block on the device or file
 *  16  write sequence (0 = laid out before the job; +1 per write of this block)
 *  24  block size          28  low 32 bits of the job seed
 *  32  payload: xorshift64* of (offset, sequence)
 * </pre>
 *
 * One instance per thread: it owns a scratch copy of the block (CRC32C takes arrays or ByteBuffers, not raw
 * addresses), so checking allocates nothing unless it fails.
 */
final class BlockCodec
{
    static final int MAGIC = 0x4251564E; // "NVQB" in little-endian byte order
    static final int HEADER_BYTES = 32;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int bs;
    private final int lbaSize;
    private final int seedTag;
    private final byte[] scratch;
    private final CRC32C crc = new CRC32C();

    BlockCodec(final int bs, final int lbaSize, final long seed)
    {
        this.bs = bs;
        this.lbaSize = lbaSize;
        this.seedTag = (int)seed;
        this.scratch = new byte[bs];
    }

    /** Writes the block for {@code offset} at write {@code sequence} into {@code buffer} at {@code at}. */
    void stamp(final UnsafeBuffer buffer, final int at, final long offset, final long sequence)
    {
        buffer.putInt(at, MAGIC, ORDER);
        buffer.putLong(at + 8, offset, ORDER);
        buffer.putLong(at + 16, sequence, ORDER);
        buffer.putInt(at + 24, bs, ORDER);
        buffer.putInt(at + 28, seedTag, ORDER);
        long state = (offset * 0x9E3779B97F4A7C15L) ^ (sequence + 0x632BE59BD9B4E019L) | 1L;
        for (int i = HEADER_BYTES; i < bs; i += Long.BYTES)
        {
            state ^= state >>> 12;
            state ^= state << 25;
            state ^= state >>> 27;
            buffer.putLong(at + i, state * 0x2545F4914F6CDD1DL, ORDER);
        }
        buffer.putInt(at + 4, checksum(buffer, at), ORDER);
    }

    /**
     * Checks the block read for {@code offset}.
     *
     * @param expectedSequence the write sequence it must carry, or -1 for any (data from an earlier run)
     * @return null when it is intact, else what is wrong, naming the block
     */
    String check(final UnsafeBuffer buffer, final int at, final long offset, final long expectedSequence)
    {
        final int magic = buffer.getInt(at, ORDER);
        if (magic != MAGIC)
        {
            return describe(offset, String.format("no verify header (magic 0x%08x, expected 0x%08x): never written " +
                "by a verify job, or overwritten", magic, MAGIC));
        }
        final int stored = buffer.getInt(at + 4, ORDER);
        final int computed = checksum(buffer, at);
        if (stored != computed)
        {
            return describe(offset, String.format("crc32c mismatch: stored 0x%08x, computed 0x%08x (the data was " +
                "corrupted)", stored, computed));
        }
        final long carried = buffer.getLong(at + 8, ORDER);
        if (carried != offset)
        {
            return describe(offset, "it holds the block of offset 0x" + Long.toHexString(carried) +
                " (misdirected write or read)");
        }
        final int size = buffer.getInt(at + 24, ORDER);
        if (size != bs)
        {
            return describe(offset, "written with bs=" + size + ", verified with bs=" + bs);
        }
        final long sequence = buffer.getLong(at + 16, ORDER);
        if (expectedSequence >= 0 && sequence != expectedSequence)
        {
            return describe(offset, "write sequence " + sequence + ", expected " + expectedSequence +
                " (a lost or stale write)");
        }
        return null;
    }

    private String describe(final long offset, final String what)
    {
        return "verify failed: block at offset " + offset + " (0x" + Long.toHexString(offset) + ", LBA " +
            offset / lbaSize + ", " + bs + " bytes): " + what;
    }

    private int checksum(final UnsafeBuffer buffer, final int at)
    {
        buffer.getBytes(at, scratch, 0, bs);
        crc.reset();
        crc.update(scratch, 8, bs - 8);
        return (int)crc.getValue();
    }
}
