package io.nvmeq.engine;

/**
 * An immutable, sorted table of host memory ranges with a fixed IOVA mapping (buffers the engine
 * allocated and buffers the application registered). The owning {@link IovaSpace} replaces the whole
 * table on every change (copy-on-write), so the data path translates host addresses with a binary
 * search over a snapshot, without locks. Ranges never overlap.
 */
final class RegisteredRanges
{
    static final RegisteredRanges EMPTY = new RegisteredRanges(new long[0], new long[0], new long[0]);
    /** What {@link #lookup} returns for memory that no range covers; no IOVA is negative. */
    static final long NOT_REGISTERED = -1;

    /** First host address of each range, ascending. */
    private final long[] starts;
    /** End (exclusive) host address of each range. */
    private final long[] ends;
    /** IOVA that each range's first byte is mapped at. */
    private final long[] iovas;

    private RegisteredRanges(final long[] starts, final long[] ends, final long[] iovas)
    {
        this.starts = starts;
        this.ends = ends;
        this.iovas = iovas;
    }

    int count()
    {
        return starts.length;
    }

    /** The IOVA of host byte {@code address}, if all of [address, address + length) lies in one range. */
    long lookup(final long address, final long length)
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
                    return length <= ends[mid] - address ? iovas[mid] + (address - starts[mid]) : NOT_REGISTERED;
                }
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return NOT_REGISTERED;
    }

    /** Whether any range intersects [start, end). */
    boolean overlaps(final long start, final long end)
    {
        final int at = insertionPoint(start);
        return (at > 0 && ends[at - 1] > start) || (at < starts.length && starts[at] < end);
    }

    RegisteredRanges with(final long start, final long end, final long iova)
    {
        final int at = insertionPoint(start);
        final int n = starts.length;
        final long[] newStarts = new long[n + 1];
        final long[] newEnds = new long[n + 1];
        final long[] newIovas = new long[n + 1];
        System.arraycopy(starts, 0, newStarts, 0, at);
        System.arraycopy(ends, 0, newEnds, 0, at);
        System.arraycopy(iovas, 0, newIovas, 0, at);
        newStarts[at] = start;
        newEnds[at] = end;
        newIovas[at] = iova;
        System.arraycopy(starts, at, newStarts, at + 1, n - at);
        System.arraycopy(ends, at, newEnds, at + 1, n - at);
        System.arraycopy(iovas, at, newIovas, at + 1, n - at);
        return new RegisteredRanges(newStarts, newEnds, newIovas);
    }

    /** The table without the range that starts at host address {@code start}; this table if none does. */
    RegisteredRanges without(final long start)
    {
        final int at = insertionPoint(start);
        if (at >= starts.length || starts[at] != start)
        {
            return this;
        }
        final int n = starts.length;
        final long[] newStarts = new long[n - 1];
        final long[] newEnds = new long[n - 1];
        final long[] newIovas = new long[n - 1];
        System.arraycopy(starts, 0, newStarts, 0, at);
        System.arraycopy(ends, 0, newEnds, 0, at);
        System.arraycopy(iovas, 0, newIovas, 0, at);
        System.arraycopy(starts, at + 1, newStarts, at, n - at - 1);
        System.arraycopy(ends, at + 1, newEnds, at, n - at - 1);
        System.arraycopy(iovas, at + 1, newIovas, at, n - at - 1);
        return new RegisteredRanges(newStarts, newEnds, newIovas);
    }

    private int insertionPoint(final long address)
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
