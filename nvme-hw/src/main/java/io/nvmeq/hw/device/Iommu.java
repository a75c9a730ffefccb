package io.nvmeq.hw.device;

import java.util.List;

/**
 * The IOMMU in front of a device: the device only ever sees IOVAs, and reaches host memory only
 * through mappings made here. An access outside a mapping is a fault, never a silent read.
 */
public interface Iommu
{
    /** IOMMU page size in bytes; addresses and lengths of mappings are multiples of it. */
    int pageSize();

    /** IOVA ranges the device may be given (VFIO's IOVA range capability). */
    List<IovaRange> usableRanges();

    /** The most mappings this IOMMU holds at once (VFIO's dma_entry_limit, 65535 by default). */
    int mappingLimit();

    /**
     * Maps {@code length} bytes of pinned host memory at {@code hostAddress} to {@code iova}, readable
     * and writable by the device.
     *
     * @throws IommuException if refused; nothing is mapped then.
     */
    void map(long hostAddress, long length, long iova);

    /**
     * Unmaps the mappings that lie wholly within [iova, iova + length); like VFIO, one call may remove
     * many mappings (the bulk reset of the temporary region).
     *
     * @return the number of bytes unmapped.
     */
    long unmap(long iova, long length);
}
