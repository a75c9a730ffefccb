package io.nvmeq.hw.emu;

/**
 * The host memory of one queue ring as the controller reaches it: the whole ring translated through
 * the IOMMU once and reused for every entry while the mappings do not change, instead of a table
 * search per entry. A hardware controller caches its queues' translations the same way (an IOTLB).
 *
 * <p>The cached host address is used only while {@link EmulatedIommu#generation()} still has the value
 * it was translated under; map and unmap move it after publishing their new table, so once an unmap
 * returns, no entry is read or written through a translation that it removed. A ring that no single
 * mapping covers (split across mappings, or partly unmapped) is translated entry by entry, as the
 * IOMMU does for any other access: a fault is recorded for the entry that is not mapped, and only then.
 *
 * <p>Not thread-safe: used under the lock of the queue that owns it.
 */
final class QueueMemory
{
    private final EmulatedIommu iommu;
    private final long baseIova;
    private final long length;
    /** Generation {@link #host} was translated under; the IOMMU's generations start at 0, so -1 is none. */
    private long generation = -1;
    /** Host address of the ring's first byte, or {@link EmulatedIommu#FAULT} if no one mapping covers the ring. */
    private long host = EmulatedIommu.FAULT;

    QueueMemory(final EmulatedIommu iommu, final long baseIova, final long length)
    {
        this.iommu = iommu;
        this.baseIova = baseIova;
        this.length = length;
    }

    /**
     * Host address of the {@code entrySize} bytes at {@code offset} into the ring, or
     * {@link EmulatedIommu#FAULT} (recorded) if they are not mapped.
     */
    long address(final long offset, final int entrySize)
    {
        final long current = iommu.generation();
        if (current != generation)
        {
            // Generation first, then the table: a change in between only makes the next access look again.
            host = iommu.translateWhole(baseIova, length);
            generation = current;
        }
        if (host != EmulatedIommu.FAULT)
        {
            return host + offset;
        }
        return iommu.translate(baseIova + offset, entrySize);
    }
}
