package io.nvmeq.hw.device;

/**
 * A mapping request the IOMMU refused. {@link Reason} mirrors the errno values of VFIO's
 * {@code VFIO_IOMMU_MAP_DMA}/{@code UNMAP_DMA}, so that callers handle the emulated and the real
 * IOMMU alike (e.g. ENOSPC from the per-container mapping limit).
 */
public final class IommuException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public enum Reason
    {
        /** EINVAL: unaligned address or length, or a range outside the usable IOVA ranges. */
        INVALID,
        /** EEXIST: the IOVA range overlaps an existing mapping. */
        EXISTS,
        /** ENOSPC: the per-container mapping limit is reached. */
        NO_SPACE,
        /** ENOENT or a partial unmap: no such mapping. */
        NOT_MAPPED
    }

    private final Reason reason;

    public IommuException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    public Reason reason()
    {
        return reason;
    }
}
