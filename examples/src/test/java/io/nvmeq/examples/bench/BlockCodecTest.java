package io.nvmeq.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class BlockCodecTest
{
    private static final int BS = 4096;
    private final BlockCodec codec = new BlockCodec(BS, 512, 42);
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * BS));

    @Test
    void anIntactBlockPassesWithItsSequenceOrAny()
    {
        codec.stamp(buffer, BS, 7 * BS, 3);
        assertNull(codec.check(buffer, BS, 7 * BS, 3));
        assertNull(codec.check(buffer, BS, 7 * BS, -1));
    }

    @Test
    void aFlippedPayloadByteIsACrcMismatchThatNamesTheBlock()
    {
        codec.stamp(buffer, 0, 5L * BS, 1);
        buffer.putByte(1000, (byte)(buffer.getByte(1000) ^ 0x10));
        final String failure = codec.check(buffer, 0, 5L * BS, 1);
        assertNotNull(failure);
        assertTrue(failure.contains("offset 20480 (0x5000, LBA 40, 4096 bytes)"), failure);
        assertTrue(failure.contains("crc32c mismatch"), failure);
    }

    @Test
    void aBlockOfAnotherOffsetIsMisdirected()
    {
        codec.stamp(buffer, 0, 2L * BS, 0);
        final String failure = codec.check(buffer, 0, 9L * BS, 0);
        assertTrue(failure.contains("misdirected"), failure);
    }

    @Test
    void anOlderWriteIsStale()
    {
        codec.stamp(buffer, 0, 0, 4);
        final String failure = codec.check(buffer, 0, 0, 5);
        assertTrue(failure.contains("write sequence 4, expected 5"), failure);
    }

    @Test
    void zeroesHaveNoHeader()
    {
        final String failure = codec.check(buffer, 0, 0, 0);
        assertTrue(failure.contains("no verify header"), failure);
        assertNotNull(codec.check(buffer, 0, 0, -1), "an unwritten block fails even without a sequence");
    }
}
