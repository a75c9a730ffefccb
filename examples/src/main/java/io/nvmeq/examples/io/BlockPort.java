package io.nvmeq.examples.io;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;

/**
 * What a {@link BlockTransfer} sends its commands through: the queue pairs of an {@link Nvmeq}, with DMA
 * buffers (zero-copy) on a local controller, or the session of a remote namespace (direct buffers, sent as bytes).
 */
public interface BlockPort
{
    /** Queues commands may be dealt over. */
    int queues();

    /** A buffer for one command of up to {@code bytes}; close it when no command uses it any more. */
    Buffer allocate(int bytes);

    CompletionStage<Void> write(int queue, int nsid, long lba, int blocks, Buffer buffer, boolean fua);

    CompletionStage<Void> read(int queue, int nsid, long lba, int blocks, Buffer buffer);

    /** A command's buffer, seen as an {@link UnsafeBuffer} from offset 0. */
    interface Buffer extends AutoCloseable
    {
        UnsafeBuffer buffer();

        @Override
        void close();
    }

    /** A local facade's DMA buffer. */
    record DmaPortBuffer(DmaBuffer dma) implements Buffer
    {
        @Override
        public UnsafeBuffer buffer()
        {
            return dma.buffer();
        }

        @Override
        public void close()
        {
            dma.close();
        }
    }

    /** Direct memory for a remote client (the garbage collector frees it). */
    record DirectPortBuffer(ByteBuffer direct, UnsafeBuffer buffer) implements Buffer
    {
        DirectPortBuffer(final int bytes)
        {
            this(ByteBuffer.allocateDirect(bytes), bytes);
        }

        private DirectPortBuffer(final ByteBuffer direct, final int bytes)
        {
            this(direct, new UnsafeBuffer(direct));
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * The queue pairs of {@code nvmeq}: with DMA buffers (zero-copy) on a local controller; with direct buffers,
     * sent as bytes, on a remote namespace (which has one queue: its session, whose server picks the queue pair).
     */
    static BlockPort of(final Nvmeq nvmeq)
    {
        final boolean remote = nvmeq.remote().isPresent();
        return new BlockPort()
        {
            @Override
            public int queues()
            {
                return nvmeq.queuePairs();
            }

            @Override
            public Buffer allocate(final int bytes)
            {
                return remote ? new DirectPortBuffer(bytes) : new DmaPortBuffer(nvmeq.allocate(bytes));
            }

            @Override
            public CompletionStage<Void> write(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer, final boolean fua)
            {
                return buffer instanceof DmaPortBuffer dma
                    ? nvmeq.queue(queue).write(nsid, lba, blocks, dma.dma(), 0, fua)
                    : nvmeq.queue(queue).write(nsid, lba, blocks, ((DirectPortBuffer)buffer).direct().duplicate().clear(), fua);
            }

            @Override
            public CompletionStage<Void> read(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer)
            {
                return buffer instanceof DmaPortBuffer dma
                    ? nvmeq.queue(queue).read(nsid, lba, blocks, dma.dma(), 0)
                    : nvmeq.queue(queue).read(nsid, lba, blocks, ((DirectPortBuffer)buffer).direct().duplicate().clear());
            }
        };
    }
}
