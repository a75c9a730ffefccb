package io.nvmeq.examples.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The log's layout on the device. Block 0 holds the superblock; records follow from block 1, each starting
 * at a block boundary and padded with zeroes to whole blocks, so that one record is one write:
 *
 * <pre>
 * superblock: magic (8) | log id (8) | block size (4) | CRC32C of the 20 bytes before (4)
 * record:     payload length (4) | CRC32C (4) | sequence (8) | log id (8) | payload | zero padding
 * </pre>
 *
 * The record's CRC32C covers its length, sequence, log id and payload. Recovery accepts a record only if its
 * CRC matches, its sequence is the next one and its log id is this log's: a torn write, an unwritten block
 * and a record left over from an earlier log on the same device all end the scan.
 */
final class RecordFormat
{
    static final long MAGIC = 0x4E564D51_4C4F4731L; // "NVMQLOG1"
    static final int SUPERBLOCK_BYTES = 24;
    static final int HEADER_BYTES = 24;

    private RecordFormat()
    {
    }

    /** Blocks a record with {@code payloadBytes} of payload occupies. */
    static int blocksFor(final int payloadBytes, final int blockSize)
    {
        return (int)(((long)HEADER_BYTES + payloadBytes + blockSize - 1) / blockSize);
    }

    static void encodeSuperblock(final byte[] block, final long logId, final int blockSize)
    {
        final ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putLong(8, logId).putInt(16, blockSize);
        b.putInt(20, crc(block, 0, 20));
    }

    /** The log id of a valid superblock in {@code block}, or 0 if it holds none. */
    static long decodeSuperblock(final byte[] block, final int blockSize)
    {
        final ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != MAGIC || b.getInt(20) != crc(block, 0, 20))
        {
            return 0;
        }
        if (b.getInt(16) != blockSize)
        {
            throw new IllegalStateException("the log was written with " + b.getInt(16) + "-byte blocks, the device has " +
                blockSize + "-byte blocks");
        }
        return b.getLong(8);
    }

    /** Encodes a record into {@code out} (at least blocksFor(payload) blocks long, padding zeroed). */
    static void encodeRecord(final byte[] out, final long sequence, final long logId, final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, payload.length).putLong(8, sequence).putLong(16, logId);
        System.arraycopy(payload, 0, out, HEADER_BYTES, payload.length);
        b.putInt(4, recordCrc(out, payload.length));
    }

    /** The payload length in a record's first block, or -1 if it cannot be one (negative, past maxPayload). */
    static int payloadLength(final byte[] firstBlock, final int maxPayload)
    {
        final int length = ByteBuffer.wrap(firstBlock).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        return length < 0 || length > maxPayload ? -1 : length;
    }

    /** Whether {@code record} (whole, as written) is record {@code sequence} of log {@code logId}. */
    static boolean isRecord(final byte[] record, final long sequence, final long logId, final int payloadLength)
    {
        final ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        return b.getLong(8) == sequence && b.getLong(16) == logId && b.getInt(4) == recordCrc(record, payloadLength);
    }

    private static int recordCrc(final byte[] record, final int payloadLength)
    {
        final CRC32C crc = new CRC32C();
        crc.update(record, 0, 4);
        crc.update(record, 8, HEADER_BYTES - 8 + payloadLength);
        return (int)crc.getValue();
    }

    private static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
