package io.nvmeq.hw.emu;

/**
 * One IOMMU translation remembered by a submission queue's data transfers (an IOTLB of one entry): the
 * mapping its last transfer went through, kept while {@link EmulatedIommu#generation()} has not moved.
 * A queue's buffers sit in few mappings (the driver's registered memory), so most transfers skip the
 * table search. As for {@link QueueMemory}, map and unmap move the generation after they publish their
 * table, so once an unmap returns no transfer goes through a translation it removed.
 *
 * <p>Not thread-safe: used under the lock of the queue that owns it.
 */
final class IoTlb
{
    /** Generation the entry was filled under; the IOMMU's generations start at 0, so -1 is none. */
    long generation = -1;
    long start;
    long end;
    long host;

    /**
     * Host address of [iova, iova + length) if the entry holds all of it under {@code current}, else
     * {@link EmulatedIommu#FAULT} (a miss: look in the table).
     */
    long lookup(final long current, final long iova, final long length)
    {
        if (current == generation && iova >= start && length <= end - iova)
        {
            return host + (iova - start);
        }
        return EmulatedIommu.FAULT;
    }

    void fill(final long generation, final long start, final long end, final long host)
    {
        this.generation = generation;
        this.start = start;
        this.end = end;
        this.host = host;
    }
}
