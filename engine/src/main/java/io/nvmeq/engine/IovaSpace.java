package io.nvmeq.engine;

import java.util.List;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.dma.DmaMemory;

/**
 * The device's IOVA space, the seed's scheme: fixed mappings (rings, PRP list pages, registered
 * buffers) are bump-allocated upwards from a minimum and live as long as the controller.
 * IOVA 0 and the first 64 KiB are never used, so that a zeroed PRP is always a fault.
 */
final class IovaSpace
{
    /** Lowest IOVA handed out (QEMU's vfio-helpers keep the same floor). */
    static final long IOVA_MIN = 0x10000;

    private final Iommu iommu;
    private final long limit;
    private long low;

    IovaSpace(final Iommu iommu)
    {
        this.iommu = iommu;
        final List<IovaRange> ranges = iommu.usableRanges();
        if (ranges.isEmpty())
        {
            throw new ControllerFatalException("the IOMMU reports no usable IOVA range");
        }
        // The widest range that lies above the floor: the fixed region grows up from its start.
        IovaRange best = null;
        for (final IovaRange range : ranges)
        {
            if (range.end() > IOVA_MIN && (best == null || range.length() > best.length()))
            {
                best = range;
            }
        }
        if (best == null)
        {
            throw new ControllerFatalException("no usable IOVA range above 0x" + Long.toHexString(IOVA_MIN));
        }
        this.low = Math.max(best.start(), IOVA_MIN);
        this.limit = best.end();
    }

    /** Allocates pinned memory and maps it at the next fixed IOVA. */
    synchronized DmaBuffer allocateFixed(final int bytes)
    {
        if (bytes <= 0)
        {
            throw new InvalidRequestException("a DMA buffer needs a positive size, not " + bytes);
        }
        final DmaMemory memory = DmaMemory.allocate(bytes);
        final long alignment = Math.max(iommu.pageSize(), memory.pageSize());
        final long iova = (low + alignment - 1) & -alignment;
        if (iova + memory.length() > limit || iova + memory.length() < iova)
        {
            memory.close();
            throw new NvmeException("IOVA space exhausted: cannot map " + memory.length() + " more bytes below 0x"
                + Long.toHexString(limit));
        }
        try
        {
            iommu.map(memory.address(), memory.length(), iova);
        }
        catch (final IommuException ex)
        {
            memory.close();
            throw new NvmeException("the IOMMU refused to map " + memory.length() + " bytes at IOVA 0x"
                + Long.toHexString(iova) + ": " + ex.getMessage(), ex);
        }
        low = iova + memory.length();
        return new DmaBuffer(memory, iommu, iova, bytes);
    }
}
