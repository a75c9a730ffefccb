package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.nvmeq.hw.emu.EmulatedIommu;

/**
 * Watches every host-memory transfer of an emulated device: a transfer that touches memory a test
 * owns must lie inside the buffer range of a request in flight, in that request's direction (the
 * device writes a read's buffer and reads a write's). Anything else is recorded as a violation.
 */
final class AccessGuard implements EmulatedIommu.AccessObserver
{
    private final List<long[]> owned = new CopyOnWriteArrayList<>();
    private final Map<Long, long[]> allowed = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicLong accesses = new AtomicLong();
    /** All violations are counted; the first few are kept to be reported. */
    private final AtomicLong violationCount = new AtomicLong();

    /** Test memory [start, end): the device may touch it only for a request that names it. */
    void own(final long start, final long end)
    {
        owned.add(new long[] {start, end});
    }

    /** Allows [start, end) in one direction until {@link #revoke}; an empty range allows nothing. */
    long allow(final long start, final long end, final boolean deviceWrites)
    {
        final long id = nextId.incrementAndGet();
        allowed.put(id, new long[] {start, end, deviceWrites ? 1 : 0});
        return id;
    }

    void revoke(final long id)
    {
        allowed.remove(id);
    }

    /** The first violations (empty if none happened) and, past ten, how many more. */
    List<String> violations()
    {
        final long count = violationCount.get();
        if (count <= 10)
        {
            return List.copyOf(violations);
        }
        final List<String> first = new ArrayList<>(violations);
        first.add((count - 10) + " more");
        return first;
    }

    /** Transfers into or out of test memory seen so far. */
    long accesses()
    {
        return accesses.get();
    }

    @Override
    public void onAccess(final long hostAddress, final long length, final boolean deviceWrites)
    {
        final long end = hostAddress + length;
        for (final long[] region : owned)
        {
            if (hostAddress < region[1] && end > region[0])
            {
                accesses.incrementAndGet();
                if (!permitted(hostAddress, end, deviceWrites) && violationCount.incrementAndGet() <= 10)
                {
                    violations.add(String.format("device %s [0x%x, 0x%x) in test memory [0x%x, 0x%x) outside every " +
                        "request in flight", deviceWrites ? "wrote" : "read", hostAddress, end, region[0], region[1]));
                }
                return;
            }
        }
    }

    private boolean permitted(final long start, final long end, final boolean deviceWrites)
    {
        for (final long[] range : allowed.values())
        {
            if (start >= range[0] && end <= range[1] && (range[2] == 1) == deviceWrites)
            {
                return true;
            }
        }
        return false;
    }
}
