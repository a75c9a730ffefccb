package io.nvmeq.hw.emu;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.UnsafeAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.dma.IntervalTable;
import io.nvmeq.hw.spec.MemoryPage;

/**
 * The emulated controller's IOMMU. It behaves like VFIO's type1 IOMMU as a driver sees it (EINVAL for
 * unaligned or out-of-range requests, EEXIST for overlaps, ENOSPC past the mapping limit, unmap of
 * whole mappings only) and it is the only way the controller reaches host memory: every queue entry,
 * PRP list and data byte is translated here, and an access to an unmapped IOVA is a recorded fault
 * that touches nothing.
 *
 * <p>Translation is lock-free: mappings live in an immutable {@link IntervalTable} that map/unmap
 * replace under a lock (copy-on-write). A host that unmaps memory while a command still uses it has
 * broken the DMA contract; the controller then sees either the old or the new table for each access.
 */
public final class EmulatedIommu implements Iommu
{
    /** The IOMMU page: the driver's memory page. */
    public static final int PAGE_SIZE = MemoryPage.SIZE;
    /** What {@link #translate} returns for an unmapped IOVA; no host address is all ones. */
    static final long FAULT = -1;
    private static final int FAULT_LOG_SIZE = 16;
    private static final Logger LOG = LoggerFactory.getLogger(EmulatedIommu.class);

    private final long iovaLimit;
    private final int mappingLimit;
    private final List<IovaRange> usableRanges;
    private final Object mapLock = new Object();
    private volatile IntervalTable table = IntervalTable.EMPTY;
    /**
     * Moves after every change of the mappings, once the new table is published: a translation cached
     * under one value ({@link QueueMemory}) is used only while it has not moved, so an unmap has made
     * every cached translation stale by the time it returns.
     */
    private volatile long generation;

    private final AtomicLong faults = new AtomicLong();
    /** The last faulting IOVAs, newest at (faults - 1) % size: enough to diagnose without allocating. */
    private final long[] faultLog = new long[FAULT_LOG_SIZE];
    private volatile AccessObserver observer;

    /**
     * Sees every host-memory transfer the device makes through this IOMMU (data, PRP list pages,
     * submission entries; completion entries are posted through {@link #translate} and not reported):
     * which host bytes it read or wrote. For tests that check a command touched only its own buffer; called on the
     * device's thread, so it must be quick and must not block.
     */
    @FunctionalInterface
    public interface AccessObserver
    {
        /** @param deviceWrites true if the device wrote [hostAddress, hostAddress + length), false if it read it */
        void onAccess(long hostAddress, long length, boolean deviceWrites);
    }

    public EmulatedIommu(final long iovaLimit, final int mappingLimit)
    {
        if (iovaLimit <= PAGE_SIZE || (iovaLimit & (PAGE_SIZE - 1)) != 0)
        {
            throw new IllegalArgumentException("IOVA limit must be a page multiple above one page: " + iovaLimit);
        }
        if (mappingLimit < 1)
        {
            throw new IllegalArgumentException("mapping limit must be positive: " + mappingLimit);
        }
        this.iovaLimit = iovaLimit;
        this.mappingLimit = mappingLimit;
        this.usableRanges = List.of(new IovaRange(0, iovaLimit));
    }

    @Override
    public int pageSize()
    {
        return PAGE_SIZE;
    }

    @Override
    public List<IovaRange> usableRanges()
    {
        return usableRanges;
    }

    @Override
    public int mappingLimit()
    {
        return mappingLimit;
    }

    @Override
    public void map(final long hostAddress, final long length, final long iova)
    {
        final long mask = PAGE_SIZE - 1;
        if (length <= 0 || ((hostAddress | length | iova) & mask) != 0 || hostAddress == 0)
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "map of 0x%x bytes at host 0x%x to IOVA 0x%x: address, IOVA and length must be non-zero multiples of %d",
                length, hostAddress, iova, PAGE_SIZE));
        }
        if (iova < 0 || iova + length > iovaLimit || iova + length < iova)
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "IOVA range [0x%x, 0x%x) is outside the usable range [0, 0x%x)", iova, iova + length, iovaLimit));
        }
        synchronized (mapLock)
        {
            final IntervalTable current = table;
            if (current.overlaps(iova, iova + length))
            {
                throw new IommuException(IommuException.Reason.EXISTS, String.format(
                    "IOVA range [0x%x, 0x%x) overlaps an existing mapping", iova, iova + length));
            }
            if (current.count() >= mappingLimit)
            {
                throw new IommuException(IommuException.Reason.NO_SPACE,
                    "the IOMMU holds " + current.count() + " mappings, its limit (dma_entry_limit)");
            }
            table = current.with(iova, iova + length, hostAddress);
            generation++;
        }
    }

    @Override
    public long unmap(final long iova, final long length)
    {
        final long mask = PAGE_SIZE - 1;
        if (length <= 0 || ((iova | length) & mask) != 0 || iova < 0 || iova + length < iova)
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "unmap of 0x%x bytes at IOVA 0x%x: IOVA and length must be non-zero multiples of %d", length, iova, PAGE_SIZE));
        }
        final long end = iova + length;
        synchronized (mapLock)
        {
            final IntervalTable current = table;
            // Like VFIO type1 v2: a range that cuts through a mapping is refused, nothing is unmapped.
            final int first = current.indexOf(iova);
            if (first >= 0 && current.start(first) != iova)
            {
                throw new IommuException(IommuException.Reason.NOT_MAPPED, String.format(
                    "unmap at IOVA 0x%x would split the mapping [0x%x, 0x%x)", iova, current.start(first), current.end(first)));
            }
            final int last = current.indexOf(end - 1);
            if (last >= 0 && current.end(last) != end)
            {
                throw new IommuException(IommuException.Reason.NOT_MAPPED, String.format(
                    "unmap up to IOVA 0x%x would split the mapping [0x%x, 0x%x)", end, current.start(last), current.end(last)));
            }
            final int from = current.insertionPoint(iova);
            final int to = current.insertionPoint(end);
            long unmapped = 0;
            for (int i = from; i < to; i++)
            {
                unmapped += current.end(i) - current.start(i);
            }
            if (to > from)
            {
                table = current.without(from, to);
                generation++;
            }
            return unmapped;
        }
    }

    /** Reports every later host-memory transfer to {@code observer} (null: none); see {@link AccessObserver}. */
    public void observe(final AccessObserver observer)
    {
        this.observer = observer;
    }

    /** Mappings held now. */
    public int mappingCount()
    {
        return table.count();
    }

    /** Accesses to unmapped IOVAs since creation. */
    public long faultCount()
    {
        return faults.get();
    }

    /** The IOVA of the latest fault, or -1 if none happened. */
    public long lastFaultIova()
    {
        final long count = faults.get();
        return count == 0 ? -1 : faultLog[(int)((count - 1) % FAULT_LOG_SIZE)];
    }

    /**
     * Host address of [iova, iova + length), which must lie within one mapping (queue entries and PRP
     * list entries never cross a page, so never a mapping); records a fault and returns {@link #FAULT}
     * otherwise.
     */
    long translate(final long iova, final int length)
    {
        final IntervalTable current = table;
        final int index = current.indexOf(iova);
        if (index < 0 || iova + length > current.end(index))
        {
            return fault(index < 0 ? iova : current.end(index));
        }
        return current.value(index) + (iova - current.start(index));
    }

    /** Reports to the observer an access the device made through a translation it cached ({@link QueueMemory}). */
    void accessed(final long hostAddress, final long length, final boolean deviceWrites)
    {
        final AccessObserver watching = observer;
        if (watching != null)
        {
            watching.onAccess(hostAddress, length, deviceWrites);
        }
    }

    /** The mappings' generation; see {@link QueueMemory}. */
    long generation()
    {
        return generation;
    }

    /**
     * Host address of [iova, iova + length) when one mapping covers all of it, else {@link #FAULT};
     * records no fault (a cache asking whether a whole ring may be translated at once).
     */
    long translateWhole(final long iova, final long length)
    {
        final IntervalTable current = table;
        final int index = current.indexOf(iova);
        if (index < 0 || length > current.end(index) - iova)
        {
            return FAULT;
        }
        return current.value(index) + (iova - current.start(index));
    }

    /** Whether all of [iova, iova + length) is mapped; records a fault if not. */
    boolean check(final long iova, final long length)
    {
        final long unmapped = table.firstUncovered(iova, length);
        if (unmapped >= 0)
        {
            fault(unmapped);
            return false;
        }
        return true;
    }

    // What one segment of a device transfer does; an int rather than a lambda so that no command allocates.
    private static final int HOST_TO_MEMORY = 0;
    private static final int MEMORY_TO_HOST = 1;
    private static final int STORE_TO_HOST = 2;
    private static final int HOST_TO_STORE = 3;

    /** Device read of host memory into controller memory; all or nothing. */
    boolean readHost(final long iova, final long dstAddress, final long length)
    {
        return transfer(HOST_TO_MEMORY, iova, length, dstAddress, null, 0, null);
    }

    /** Device write of controller memory into host memory; all or nothing. */
    boolean writeHost(final long iova, final long srcAddress, final long length)
    {
        return transfer(MEMORY_TO_HOST, iova, length, srcAddress, null, 0, null);
    }

    /** Device write of store data into host memory (an NVM Read); all or nothing. {@code tlb} may be null. */
    boolean storeToHost(
        final BlockStore store, final long storeOffset, final long iova, final long length, final IoTlb tlb)
    {
        return transfer(STORE_TO_HOST, iova, length, 0, store, storeOffset, tlb);
    }

    /** Device read of host memory into the store (an NVM Write); all or nothing. {@code tlb} may be null. */
    boolean hostToStore(
        final long iova, final long length, final BlockStore store, final long storeOffset, final IoTlb tlb)
    {
        return transfer(HOST_TO_STORE, iova, length, 0, store, storeOffset, tlb);
    }

    /**
     * Walks [iova, iova + length) mapping by mapping against one snapshot of the table, after checking
     * that all of it is mapped: a transfer moves every byte or none.
     */
    private boolean transfer(
        final int direction, final long iova, final long length, final long memory, final BlockStore store,
        final long storeOffset, final IoTlb tlb)
    {
        // The generation before the table (see QueueMemory): a change in between only makes the next look again.
        final long currentGeneration = generation;
        long host = tlb == null ? FAULT : tlb.lookup(currentGeneration, iova, length);
        final IntervalTable current = table;
        if (host == FAULT)
        {
            final int first = current.indexOf(iova);
            if (first >= 0 && length <= current.end(first) - iova)
            {
                host = current.value(first) + (iova - current.start(first));
                if (tlb != null)
                {
                    tlb.fill(currentGeneration, current.start(first), current.end(first), current.value(first));
                }
            }
        }
        if (host != FAULT)
        {
            // One mapping holds all of it (nearly every transfer): one lookup, or none, checks and translates.
            final AccessObserver watching = observer;
            if (watching != null)
            {
                watching.onAccess(host, length, direction == MEMORY_TO_HOST || direction == STORE_TO_HOST);
            }
            move(direction, host, memory, store, storeOffset, length);
            return true;
        }
        if (!covered(current, iova, length))
        {
            return false;
        }
        final AccessObserver watching = observer;
        long done = 0;
        while (done < length)
        {
            final long at = iova + done;
            final int index = current.indexOf(at);
            final long chunk = Math.min(length - done, current.end(index) - at);
            final long address = current.value(index) + (at - current.start(index));
            if (watching != null)
            {
                watching.onAccess(address, chunk, direction == MEMORY_TO_HOST || direction == STORE_TO_HOST);
            }
            move(direction, address, memory + done, store, storeOffset + done, chunk);
            done += chunk;
        }
        return true;
    }

    /** One translated piece of a transfer: {@code length} bytes at host address {@code host}. */
    private static void move(
        final int direction, final long host, final long memory, final BlockStore store, final long storeOffset,
        final long length)
    {
        switch (direction)
        {
            case HOST_TO_MEMORY:
                UnsafeAccess.UNSAFE.copyMemory(host, memory, length);
                break;
            case MEMORY_TO_HOST:
                UnsafeAccess.UNSAFE.copyMemory(memory, host, length);
                break;
            case STORE_TO_HOST:
                store.read(storeOffset, host, length);
                break;
            default:
                store.write(storeOffset, host, length);
                break;
        }
    }

    /** Records a fault at {@code iova} that the fault injector caused (the mapping is left as it is). */
    void injectFault(final long iova)
    {
        fault(iova);
    }

    private boolean covered(final IntervalTable current, final long iova, final long length)
    {
        final long unmapped = current.firstUncovered(iova, length);
        if (unmapped >= 0)
        {
            fault(unmapped);
            return false;
        }
        return true;
    }

    private long fault(final long iova)
    {
        final long count = faults.getAndIncrement();
        faultLog[(int)(count % FAULT_LOG_SIZE)] = iova;
        if (LOG.isDebugEnabled())
        {
            LOG.debug("IOMMU fault at IOVA 0x{} (fault #{})", Long.toHexString(iova), count + 1);
        }
        return FAULT;
    }
}
