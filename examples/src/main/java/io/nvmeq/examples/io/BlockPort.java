package io.nvmeq.examples.io;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.engine.DmaBuffer;

/**
 * What a {@link BlockTransfer} sends its commands through: the queue pairs of a local {@link Nvmeq} (DMA
 * buffers, zero-copy) or the session of a {@link RemoteNvmeq} (direct buffers, sent as bytes).
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

    static BlockPort of(final Nvmeq nvmeq)
    {
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
                return new DmaPortBuffer(nvmeq.allocate(bytes));
            }

            @Override
            public CompletionStage<Void> write(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer, final boolean fua)
            {
                return nvmeq.queue(queue).write(nsid, lba, blocks, ((DmaPortBuffer)buffer).dma(), 0, fua);
            }

            @Override
            public CompletionStage<Void> read(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer)
            {
                return nvmeq.queue(queue).read(nsid, lba, blocks, ((DmaPortBuffer)buffer).dma(), 0);
            }
        };
    }

    /** One queue: a remote client keeps its order over one session, whose server picks the queue pair. */
    static BlockPort of(final RemoteNvmeq remote)
    {
        return new BlockPort()
        {
            @Override
            public int queues()
            {
                return 1;
            }

            @Override
            public Buffer allocate(final int bytes)
            {
                return new DirectPortBuffer(bytes);
            }

            @Override
            public CompletionStage<Void> write(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer, final boolean fua)
            {
                return remote.write(nsid, lba, blocks, ((DirectPortBuffer)buffer).direct().duplicate().clear(), fua);
            }

            @Override
            public CompletionStage<Void> read(final int queue, final int nsid, final long lba, final int blocks,
                final Buffer buffer)
            {
                return remote.read(nsid, lba, blocks, ((DirectPortBuffer)buffer).direct().duplicate().clear());
            }
        };
    }
}
