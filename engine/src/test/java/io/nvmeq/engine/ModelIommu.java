package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;

/**
 * A reference IOMMU for tests, written from VFIO type1's documented behaviour and nothing of the
 * engine: EINVAL outside the usable range, EEXIST on overlap, ENOSPC past the mapping limit, unmap of
 * whole mappings only. It remembers every unmap call so tests can count bulk resets.
 */
final class ModelIommu implements Iommu
{
    static final int PAGE = 4096;

    private final IovaRange range;
    private final int limit;
    /** iova -> {end, host} */
    private final TreeMap<Long, long[]> mappings = new TreeMap<>();
    private final List<long[]> unmapCalls = new ArrayList<>();

    ModelIommu(final long start, final long end, final int limit)
    {
        this.range = new IovaRange(start, end);
        this.limit = limit;
    }

    @Override
    public int pageSize()
    {
        return PAGE;
    }

    @Override
    public List<IovaRange> usableRanges()
    {
        return List.of(range);
    }

    @Override
    public int mappingLimit()
    {
        return limit;
    }

    @Override
    public synchronized void map(final long hostAddress, final long length, final long iova)
    {
        if (length <= 0 || (hostAddress % PAGE) != 0 || (length % PAGE) != 0 || (iova % PAGE) != 0
            || !range.contains(iova, length))
        {
            throw new IommuException(IommuException.Reason.INVALID, "bad map " + iova + "+" + length);
        }
        final Map.Entry<Long, long[]> below = mappings.floorEntry(iova + length - 1);
        if (below != null && below.getValue()[0] > iova)
        {
            throw new IommuException(IommuException.Reason.EXISTS, "overlap at 0x" + Long.toHexString(iova));
        }
        if (mappings.size() >= limit)
        {
            throw new IommuException(IommuException.Reason.NO_SPACE, "limit " + limit);
        }
        mappings.put(iova, new long[] {iova + length, hostAddress});
    }

    @Override
    public synchronized long unmap(final long iova, final long length)
    {
        unmapCalls.add(new long[] {iova, length});
        final long end = iova + length;
        final Map.Entry<Long, long[]> first = mappings.floorEntry(iova);
        if (first != null && first.getKey() < iova && first.getValue()[0] > iova)
        {
            throw new IommuException(IommuException.Reason.NOT_MAPPED, "split at start");
        }
        final Map.Entry<Long, long[]> last = mappings.floorEntry(end - 1);
        if (last != null && last.getValue()[0] > end)
        {
            throw new IommuException(IommuException.Reason.NOT_MAPPED, "split at end");
        }
        long unmapped = 0;
        final Map<Long, long[]> inside = mappings.subMap(iova, true, end, false);
        for (final Map.Entry<Long, long[]> entry : inside.entrySet())
        {
            unmapped += entry.getValue()[0] - entry.getKey();
        }
        inside.clear();
        return unmapped;
    }

    /** Whether [iova, iova + length) lies in one mapping and translates to host address {@code host}. */
    synchronized boolean translatesTo(final long iova, final long length, final long host)
    {
        final Map.Entry<Long, long[]> entry = mappings.floorEntry(iova);
        return entry != null && iova + length <= entry.getValue()[0]
            && entry.getValue()[1] + (iova - entry.getKey()) == host;
    }

    synchronized int count()
    {
        return mappings.size();
    }

    synchronized int unmapCallCount()
    {
        return unmapCalls.size();
    }

    /** Whether every mapping lies in [from, to). */
    synchronized boolean allWithin(final long from, final long to)
    {
        for (final Map.Entry<Long, long[]> entry : mappings.entrySet())
        {
            if (entry.getKey() < from || entry.getValue()[0] > to)
            {
                return false;
            }
        }
        return true;
    }
}
