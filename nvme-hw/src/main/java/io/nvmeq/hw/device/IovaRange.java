package io.nvmeq.hw.device;

/** A range of I/O virtual addresses, [start, end) with end exclusive. */
public record IovaRange(long start, long end)
{
    public IovaRange
    {
        if (end <= start)
        {
            throw new IllegalArgumentException("empty IOVA range [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")");
        }
    }

    public long length()
    {
        return end - start;
    }

    public boolean contains(final long iova, final long length)
    {
        return iova >= start && length >= 0 && iova + length <= end && iova + length >= iova;
    }
}
