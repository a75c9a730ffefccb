package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The block data a message carries, wherever it lives: bytes on the heap (a client's write), a lease on the
 * server's registered DMA buffers ({@link DmaBlockPool.Lease}: what the device reads from or wrote into), or
 * nothing where the server had no DMA buffer free when the data arrived ({@link Missing}: the request is then
 * refused, never run). {@link RemoteSerializer} copies it into a frame once.
 */
public sealed interface BlockData permits BlockData.Bytes, BlockData.Missing, DmaBlockPool.Lease
{
    /** Bytes of block data. */
    int length();

    /** Copies the data into {@code frame} at its position, which it advances. */
    void copyTo(ByteBuffer frame);

    /** Block data in a heap array. */
    record Bytes(byte[] bytes) implements BlockData
    {
        public Bytes
        {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public int length()
        {
            return bytes.length;
        }

        @Override
        public void copyTo(final ByteBuffer frame)
        {
            frame.put(bytes);
        }
    }

    /** {@code length} bytes that were skipped on arrival: no DMA buffer of the server was free for them. */
    record Missing(int length) implements BlockData
    {
        @Override
        public void copyTo(final ByteBuffer frame)
        {
            throw new IllegalStateException("block data that was never received cannot be sent on");
        }
    }
}
