package io.nvmeq.engine;

/**
 * No IOVA is left for a fixed mapping: the fixed region met the temporary one, or the IOMMU's mapping
 * limit (ENOSPC from VFIO's dma_entry_limit) was reached, even after unused temporary mappings were dropped.
 * Nothing was mapped.
 */
public final class IovaExhaustedException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public IovaExhaustedException(final String message)
    {
        super(message);
    }
}
