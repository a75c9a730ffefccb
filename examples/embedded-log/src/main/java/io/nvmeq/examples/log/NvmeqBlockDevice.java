package io.nvmeq.examples.log;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NamespaceInfo;

/**
 * A namespace of an nvmeq device as the log's block device. Durable writes are Writes with Force Unit
 * Access: the controller completes them only once the data is on stable media. Each write in flight has a
 * DMA buffer of its own from a small pool; the buffer goes back to the pool when the write is answered (the
 * facade answers only after the controller is done with the buffer).
 */
final class NvmeqBlockDevice implements BlockDevice
{
    private static final long TIMEOUT_SECONDS = 60;

    private final Nvmeq nvmeq;
    private final int nsid;
    private final int blockSize;
    private final long blocks;
    private final BlockingQueue<DmaBuffer> buffers;
    private final DmaBuffer readBuffer;
    private final int maxBlocksPerWrite;

    /**
     * @param nvmeq             an open facade; closed with this device
     * @param maxInFlight       writes in flight at most (one DMA buffer each)
     * @param maxBlocksPerWrite the largest write, in blocks
     */
    NvmeqBlockDevice(final Nvmeq nvmeq, final int maxInFlight, final int maxBlocksPerWrite)
    {
        final NamespaceInfo namespace = nvmeq.namespaces().get(0);
        this.nvmeq = nvmeq;
        this.nsid = namespace.nsid();
        this.blockSize = namespace.blockSize();
        this.blocks = namespace.blocks();
        this.maxBlocksPerWrite = maxBlocksPerWrite;
        this.buffers = new ArrayBlockingQueue<>(maxInFlight);
        for (int i = 0; i < maxInFlight; i++)
        {
            buffers.add(nvmeq.allocate(maxBlocksPerWrite * blockSize));
        }
        this.readBuffer = nvmeq.allocate(maxBlocksPerWrite * blockSize);
    }

    @Override
    public int blockSize()
    {
        return blockSize;
    }

    @Override
    public long blocks()
    {
        return blocks;
    }

    @Override
    public CompletableFuture<Void> writeDurable(final long lba, final byte[] data, final int count)
    {
        checkCount(count);
        final DmaBuffer buffer;
        try
        {
            buffer = buffers.take();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(ex);
        }
        buffer.buffer().putBytes(0, data, 0, count * blockSize);
        final CompletableFuture<Void> written = nvmeq.write(nsid, lba, count, buffer, 0, true).toCompletableFuture();
        written.whenComplete((ignored, error) -> buffers.add(buffer));
        return written;
    }

    /** Synchronized: one read buffer serves every read (reads are for recovery and scans, off the append path). */
    @Override
    public synchronized void read(final long lba, final byte[] into, final int count)
    {
        checkCount(count);
        try
        {
            nvmeq.read(nsid, lba, count, readBuffer, 0).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("read of " + count + " blocks at LBA " + lba + " failed: " + ex.getCause(),
                ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("read at LBA " + lba + " not answered within " + TIMEOUT_SECONDS + " s", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading LBA " + lba, ex);
        }
        readBuffer.buffer().getBytes(0, into, 0, count * blockSize);
    }

    private void checkCount(final int count)
    {
        if (count < 1 || count > maxBlocksPerWrite)
        {
            throw new IllegalArgumentException("1.." + maxBlocksPerWrite + " blocks per transfer, not " + count);
        }
    }

    @Override
    public void close()
    {
        nvmeq.close();
    }
}
