package io.nvmeq.hw.dma;

/**
 * An immutable, sorted table of disjoint intervals [start, end), each with a value at its start (a host
 * address for an IOMMU's IOVA mappings, an IOVA for the driver's registered host memory). Whoever owns
 * one replaces the whole table on every change (copy-on-write), so that readers on any thread look
 * addresses up with a binary search over a snapshot, without locks. Changes are rare next to lookups.
 */
public final class IntervalTable
{
    public static final IntervalTable EMPTY = new IntervalTable(new long[0], new long[0], new long[0]);
    /** What {@link #translate} returns when no one interval covers the range; no address is negative. */
    public static final long NONE = -1;

    /** First address of each interval, ascending. */
    private final long[] starts;
    /** End (exclusive) of each interval. */
    private final long[] ends;
    /** The value that each interval's first address maps to. */
    private final long[] values;

    private IntervalTable(final long[] starts, final long[] ends, final long[] values)
    {
        this.starts = starts;
        this.ends = ends;
        this.values = values;
    }

    public int count()
    {
        return starts.length;
    }

    public long start(final int index)
    {
        return starts[index];
    }

    public long end(final int index)
    {
        return ends[index];
    }

    public long value(final int index)
    {
        return values[index];
    }

    /** Index of the interval that holds {@code address}, or -1. */
    public int indexOf(final long address)
    {
        int low = 0;
        int high = starts.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (starts[mid] <= address)
            {
                if (address < ends[mid])
                {
                    return mid;
                }
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }

    /**
     * What {@code address} maps to, if all of [address, address + length) lies in one interval;
     * {@link #NONE} otherwise.
     */
    public long translate(final long address, final long length)
    {
        final int index = indexOf(address);
        if (index < 0 || length > ends[index] - address)
        {
            return NONE;
        }
        return values[index] + (address - starts[index]);
    }

    /** Whether any interval intersects [start, end). */
    public boolean overlaps(final long start, final long end)
    {
        final int at = insertionPoint(start);
        return (at > 0 && ends[at - 1] > start) || (at < starts.length && starts[at] < end);
    }

    /** The first address in [start, start + length) that no interval covers, or -1 when all of it is covered. */
    public long firstUncovered(final long start, final long length)
    {
        final long end = start + length;
        long at = start;
        while (at < end)
        {
            final int index = indexOf(at);
            if (index < 0)
            {
                return at;
            }
            at = ends[index];
        }
        return -1;
    }

    /** This table and [start, end) mapped to {@code value}; the caller has checked that it overlaps nothing. */
    public IntervalTable with(final long start, final long end, final long value)
    {
        final int at = insertionPoint(start);
        final int n = starts.length;
        final long[] newStarts = new long[n + 1];
        final long[] newEnds = new long[n + 1];
        final long[] newValues = new long[n + 1];
        System.arraycopy(starts, 0, newStarts, 0, at);
        System.arraycopy(ends, 0, newEnds, 0, at);
        System.arraycopy(values, 0, newValues, 0, at);
        newStarts[at] = start;
        newEnds[at] = end;
        newValues[at] = value;
        System.arraycopy(starts, at, newStarts, at + 1, n - at);
        System.arraycopy(ends, at, newEnds, at + 1, n - at);
        System.arraycopy(values, at, newValues, at + 1, n - at);
        return new IntervalTable(newStarts, newEnds, newValues);
    }

    /** The table without the intervals in index range [from, to). */
    public IntervalTable without(final int from, final int to)
    {
        final int n = starts.length;
        final int removed = to - from;
        final long[] newStarts = new long[n - removed];
        final long[] newEnds = new long[n - removed];
        final long[] newValues = new long[n - removed];
        System.arraycopy(starts, 0, newStarts, 0, from);
        System.arraycopy(ends, 0, newEnds, 0, from);
        System.arraycopy(values, 0, newValues, 0, from);
        System.arraycopy(starts, to, newStarts, from, n - to);
        System.arraycopy(ends, to, newEnds, from, n - to);
        System.arraycopy(values, to, newValues, from, n - to);
        return new IntervalTable(newStarts, newEnds, newValues);
    }

    /** The table without the interval that starts at {@code start}; this table if none does. */
    public IntervalTable withoutStartingAt(final long start)
    {
        final int at = insertionPoint(start);
        if (at >= starts.length || starts[at] != start)
        {
            return this;
        }
        return without(at, at + 1);
    }

    /** Index of the first interval that starts at or after {@code address}. */
    public int insertionPoint(final long address)
    {
        int low = 0;
        int high = starts.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (starts[mid] < address)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
