package io.nvmeq.examples.bench;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.DmaBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A target on a device opened through the {@link Nvmeq} facade: the namespace's geometry and the synchronous
 * transfers' DMA buffer come from the facade; how jobs drive it, and how it closes, is the subclass's.
 */
abstract class NvmeqTarget implements BenchTarget
{
    final Nvmeq nvmeq;
    final NvmeqSettings settings;
    /** The buffer {@link #transfer} moves data through; null until {@link #transferBuffer} is first called. */
    DmaBuffer transfer;

    NvmeqTarget(final NvmeqSettings settings)
    {
        this.settings = settings;
        this.nvmeq = Nvmeq.open(settings);
    }

    @Override
    public int lbaSize(final int nsid)
    {
        return nvmeq.namespace(nsid).blockSize();
    }

    @Override
    public long capacity(final int nsid)
    {
        return nvmeq.namespace(nsid).bytes();
    }

    @Override
    public int maxTransfer()
    {
        return (int)Math.min(Integer.MAX_VALUE, nvmeq.controller().maxTransferBytes());
    }

    @Override
    public UnsafeBuffer transferBuffer(final int bytes)
    {
        if (transfer == null || transfer.capacity() < bytes)
        {
            if (transfer != null)
            {
                transfer.close();
            }
            transfer = nvmeq.allocate(bytes);
        }
        return transfer.buffer();
    }
}
