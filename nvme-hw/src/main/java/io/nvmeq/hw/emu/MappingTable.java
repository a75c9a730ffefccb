package io.nvmeq.hw.emu;

/**
 * An immutable, sorted set of IOMMU mappings. {@link EmulatedIommu} replaces the whole table on every
 * map/unmap (copy-on-write), so that queue threads translate addresses with a binary search over a
 * snapshot, without locks, while mappings change. Maps and unmaps are rare next to translations.
 */
final class MappingTable
{
    static final MappingTable EMPTY = new MappingTable(new long[0], new long[0], new long[0]);

    /** First IOVA of each mapping, ascending. */
    private final long[] starts;
    /** End (exclusive) IOVA of each mapping. */
    private final long[] ends;
    /** Host address that each mapping's first IOVA translates to. */
    private final long[] hosts;

    MappingTable(final long[] starts, final long[] ends, final long[] hosts)
    {
        this.starts = starts;
        this.ends = ends;
        this.hosts = hosts;
    }

    int count()
    {
        return starts.length;
    }

    long start(final int index)
    {
        return starts[index];
    }

    long end(final int index)
    {
        return ends[index];
    }

    long host(final int index)
    {
        return hosts[index];
    }

    /** Index of the mapping that holds {@code iova}, or -1. */
    int indexOf(final long iova)
    {
        int low = 0;
        int high = starts.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (starts[mid] <= iova)
            {
                if (iova < ends[mid])
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

    /** Whether any mapping intersects [iova, end). */
    boolean overlaps(final long iova, final long end)
    {
        final int insertAt = insertionPoint(iova);
        if (insertAt > 0 && ends[insertAt - 1] > iova)
        {
            return true;
        }
        return insertAt < starts.length && starts[insertAt] < end;
    }

    /** The first IOVA in [iova, iova + length) that no mapping covers, or -1 when all of it is mapped. */
    long firstUnmapped(final long iova, final long length)
    {
        final long end = iova + length;
        long at = iova;
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

    MappingTable with(final long start, final long end, final long host)
    {
        final int at = insertionPoint(start);
        final int n = starts.length;
        final long[] newStarts = new long[n + 1];
        final long[] newEnds = new long[n + 1];
        final long[] newHosts = new long[n + 1];
        System.arraycopy(starts, 0, newStarts, 0, at);
        System.arraycopy(ends, 0, newEnds, 0, at);
        System.arraycopy(hosts, 0, newHosts, 0, at);
        newStarts[at] = start;
        newEnds[at] = end;
        newHosts[at] = host;
        System.arraycopy(starts, at, newStarts, at + 1, n - at);
        System.arraycopy(ends, at, newEnds, at + 1, n - at);
        System.arraycopy(hosts, at, newHosts, at + 1, n - at);
        return new MappingTable(newStarts, newEnds, newHosts);
    }

    /** The table without the mappings in index range [from, to). */
    MappingTable without(final int from, final int to)
    {
        final int n = starts.length;
        final int removed = to - from;
        final long[] newStarts = new long[n - removed];
        final long[] newEnds = new long[n - removed];
        final long[] newHosts = new long[n - removed];
        System.arraycopy(starts, 0, newStarts, 0, from);
        System.arraycopy(ends, 0, newEnds, 0, from);
        System.arraycopy(hosts, 0, newHosts, 0, from);
        System.arraycopy(starts, to, newStarts, from, n - to);
        System.arraycopy(ends, to, newEnds, from, n - to);
        System.arraycopy(hosts, to, newHosts, from, n - to);
        return new MappingTable(newStarts, newEnds, newHosts);
    }

    /** Index of the first mapping that starts at or after {@code iova}. */
    int insertionPoint(final long iova)
    {
        int low = 0;
        int high = starts.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (starts[mid] < iova)
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
