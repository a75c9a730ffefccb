package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.dma.DmaMemory;
import io.nvmeq.hw.dma.IntervalTable;

/**
 * The device's IOVA space, laid out as QEMU's vfio-helpers lay theirs out:
 * <pre>
 *   min ........ low ............................................ max
 *   | fixed, up → |   free   | ← temporary epoch B | temporary epoch A |
 * </pre>
 * Fixed mappings (rings, PRP list pages, the bounce pool, engine-allocated and application-registered
 * buffers) are bump-allocated upwards from {@code min} and stay until freed. Temporary mappings of
 * other direct buffers live in an <em>epoch</em>, an interval of the space above {@code low}, which is
 * cut from the top down into {@link IovaLease leases}: each queue pair's {@link TemporaryMappings} maps
 * inside its own lease without a lock. An epoch is exhausted when it reaches its floor or its share of
 * the space or of the mapping limit; when a new one cannot open, or the IOMMU says ENOSPC, its leases
 * are closed. Once every lease has come back (no command uses any of its mappings) the epoch is reset
 * with one unmap of its whole interval, while new leases come from the next epoch: at most two epochs
 * live at once. When neither can cut a lease, {@link TemporaryMappings#map} says so and the caller
 * uses a bounce buffer.
 *
 * <p>Threads: mapping and releasing inside a lease takes no lock. Once per lease a queue pair tries the
 * space's lock to cut its next lease or give one back; with a maintenance executor ({@link #resetWith},
 * the IOVA-mapping actor) it never waits for that lock: if another thread holds it, the work goes to
 * the executor through lock-free queues and the request is bounced. The executor also runs every
 * epoch reset, outside the lock. The fixed allocator is serialised on the lock (each call goes into
 * the IOMMU anyway, a system call on VFIO); {@link #lookup} of registered ranges takes no lock.
 */
final class IovaSpace
{
    /** Lowest IOVA handed out (QEMU's vfio-helpers keep the same floor), so a zeroed PRP is always a fault. */
    static final long IOVA_MIN = 0x10000;
    /** A range at least this long is roomy enough for the fixed and the temporary region together. */
    static final long ROOMY_RANGE = 1L << 30;
    /** What {@link TemporaryMappings#map} and {@link #lookup} return when they have no IOVA to give. */
    static final long NO_IOVA = -1;

    private final Iommu iommu;
    private final long min;
    private final long max;
    private final long pageMask;
    /**
     * One lock for the fixed and the temporary region (a lease must never overlap the fixed region).
     * The data path only ever tries it ({@link ReentrantLock#tryLock()}), never waits for it.
     */
    final ReentrantLock lock = new ReentrantLock();
    private final TemporaryRegion temporary;

    private long low;
    /** Registered host ranges: host address to fixed IOVA. */
    private volatile Registrations registered = Registrations.EMPTY;

    IovaSpace(final Iommu iommu)
    {
        this.iommu = iommu;
        final List<IovaRange> ranges = new ArrayList<>(iommu.usableRanges());
        ranges.sort(Comparator.comparingLong(IovaRange::start));
        if (ranges.isEmpty())
        {
            throw new ControllerFatalException("the IOMMU reports no usable IOVA range");
        }
        // Fixed mappings grow up from the start of one range, temporary ones down from its end. Like
        // QEMU's vfio-helpers, start as low as possible: the lowest range above the floor if it is roomy,
        // so that IOVAs stay below 4 GiB where they can (the VT-d model of QEMU 7.2 failed DMA to a fixed
        // region that grew across 4 GiB from just below it: Data Transfer Error in the VM tests). Else the
        // widest range.
        IovaRange best = null;
        IovaRange widest = null;
        for (final IovaRange range : ranges)
        {
            if (range.end() <= IOVA_MIN)
            {
                continue;
            }
            if (best == null && range.end() - Math.max(range.start(), IOVA_MIN) >= ROOMY_RANGE)
            {
                best = range;
            }
            if (widest == null || range.length() > widest.length())
            {
                widest = range;
            }
        }
        if (best == null)
        {
            best = widest;
        }
        if (best == null)
        {
            throw new ControllerFatalException("no usable IOVA range above 0x" + Long.toHexString(IOVA_MIN));
        }
        this.pageMask = iommu.pageSize() - 1L;
        this.min = (Math.max(best.start(), IOVA_MIN) + pageMask) & ~pageMask;
        this.max = best.end() & ~pageMask;
        if (max - min < 2 * iommu.pageSize())
        {
            throw new ControllerFatalException("the usable IOVA range " + best + " is too small");
        }
        this.low = min;
        this.temporary = new TemporaryRegion(this, iommu, max, Math.max(1, iommu.mappingLimit() / 2));
    }

    /** Allocates pinned memory and maps it at the next fixed IOVA, registered for lookup when asked. */
    DmaBuffer allocateFixed(final int bytes, final boolean register)
    {
        lock.lock();
        try
        {
            if (bytes <= 0)
            {
                throw new InvalidRequestException("a DMA buffer needs a positive size, not " + bytes);
            }
            final DmaMemory memory = DmaMemory.allocate(bytes);
            try
            {
                final long alignment = Math.max(iommu.pageSize(), memory.pageSize());
                final long iova = mapFixed(memory.address(), memory.length(), alignment);
                final DmaBuffer buffer = new DmaBuffer(memory, this, iova, bytes, register);
                if (register)
                {
                    registered = registered.with(memory.address(), memory.address() + memory.length(), iova, buffer);
                }
                return buffer;
            }
            catch (final RuntimeException ex)
            {
                memory.close();
                throw ex;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    DmaBuffer allocateFixed(final int bytes)
    {
        lock.lock();
        try
        {
            return allocateFixed(bytes, false);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Maps application memory [address, address + length) at a fixed IOVA until {@link #unregister}
     * (the equivalent of QEMU's bdrv_register_buf): I/O into it is then zero-copy. Whole IOMMU pages
     * are mapped; the bytes of the range must not overlap another registered range.
     *
     * @return the registration, which requests hold while the device may use the memory
     */
    RegisteredBuffer register(final long address, final int length)
    {
        lock.lock();
        try
        {
            if (address == 0 || length <= 0 || address + length < address)
            {
                throw new InvalidRequestException("cannot register " + length + " bytes at host address 0x"
                    + Long.toHexString(address));
            }
            if (registered.table().overlaps(address, address + length))
            {
                throw new InvalidRequestException("host memory [0x" + Long.toHexString(address) + ", 0x"
                    + Long.toHexString(address + length) + ") overlaps memory registered already");
            }
            final long pageStart = address & ~pageMask;
            final long pageEnd = (address + length + pageMask) & ~pageMask;
            final long iova = mapFixed(pageStart, pageEnd - pageStart, iommu.pageSize());
            final long byteIova = iova + (address - pageStart);
            final RegisteredBuffer registration = new RegisteredBuffer(this, address, length, byteIova);
            registered = registered.with(address, address + length, byteIova, registration);
            return registration;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Undoes {@link #register}: the device can no longer reach the memory once this returns. */
    void unregister(final long address, final long length, final long byteIova)
    {
        lock.lock();
        try
        {
            final Registrations without = registered.withoutStartingAt(address);
            if (without == registered)
            {
                throw new InvalidRequestException("host address 0x" + Long.toHexString(address) + " is not registered");
            }
            registered = without;
            final long pageStart = address & ~pageMask;
            final long pageEnd = (address + length + pageMask) & ~pageMask;
            unmapFixed(byteIova - (address - pageStart), pageEnd - pageStart);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Unmaps a fixed buffer, so that the device cannot reach it; its memory may be freed afterwards. */
    void release(final DmaBuffer buffer)
    {
        lock.lock();
        try
        {
            if (buffer.isRegistered())
            {
                registered = registered.withoutStartingAt(buffer.address());
            }
            unmapFixed(buffer.iova(), buffer.mappedLength());
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The IOVA at which a fixed mapping makes [address, address + length) reachable, or {@link #NO_IOVA}.
     * Lock-free: safe on the data path of any thread.
     */
    long lookup(final long address, final long length)
    {
        return registered.table().translate(address, length);
    }

    /**
     * The DmaBuffer or registration whose fixed mapping covers all of [address, address + length), or
     * null. Lock-free and allocation-free: the data path's lookup for memory named as a ByteBuffer.
     */
    MappedMemory registeredOwner(final long address, final long length)
    {
        final Registrations current = registered;
        final IntervalTable table = current.table();
        final int index = table.indexOf(address);
        if (index < 0 || length > table.end(index) - address)
        {
            return null;
        }
        return current.owners()[index];
    }

    /**
     * Registered host ranges (each with the IOVA of its first byte) and, at the same index, the memory
     * that owns each; replaced whole on every change, so that lookups read one consistent snapshot.
     */
    private record Registrations(IntervalTable table, MappedMemory[] owners)
    {
        static final Registrations EMPTY = new Registrations(IntervalTable.EMPTY, new MappedMemory[0]);

        Registrations with(final long start, final long end, final long iova, final MappedMemory owner)
        {
            final IntervalTable grown = table.with(start, end, iova);
            final int at = grown.indexOf(start);
            final MappedMemory[] grownOwners = new MappedMemory[owners.length + 1];
            System.arraycopy(owners, 0, grownOwners, 0, at);
            grownOwners[at] = owner;
            System.arraycopy(owners, at, grownOwners, at + 1, owners.length - at);
            return new Registrations(grown, grownOwners);
        }

        Registrations withoutStartingAt(final long start)
        {
            final int at = table.insertionPoint(start);
            if (at >= table.count() || table.start(at) != start)
            {
                return this;
            }
            final MappedMemory[] fewer = new MappedMemory[owners.length - 1];
            System.arraycopy(owners, 0, fewer, 0, at);
            System.arraycopy(owners, at + 1, fewer, at, owners.length - at - 1);
            return new Registrations(table.without(at, at + 1), fewer);
        }
    }

    /** A holder of temporary mappings for queue pair {@code queueId}; it must be used by one thread at a time. */
    TemporaryMappings temporaryMappingsFor(final int queueId)
    {
        lock.lock();
        try
        {
            temporary.holders(1);
        }
        finally
        {
            lock.unlock();
        }
        return new TemporaryMappings(temporary, iommu, queueId);
    }

    /** The holder of {@link #temporaryMappingsFor} is gone (its queue pair is released): leases are cut for the rest. */
    void temporaryMappingsGone()
    {
        lock.lock();
        try
        {
            temporary.holders(-1);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Closes every epoch, resetting each that nothing uses now (e.g. before shutdown). */
    void trimTemporary()
    {
        lock.lock();
        try
        {
            temporary.trim();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Temporary mappings refused because no lease had room (bounced instead). */
    long temporaryRefusalCount()
    {
        return temporary.refusalCount();
    }

    /** Epochs reset (one bulk unmap each). */
    long epochResetCount()
    {
        lock.lock();
        try
        {
            return temporary.resetCount();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Temporary mappings in use by commands in flight (exact when no holder is mapping or releasing). */
    int temporaryInFlight()
    {
        lock.lock();
        try
        {
            return temporary.inFlight();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Has lease work and the resets of drained epochs done by {@code executor} (e.g. an actor) rather
     * than by the queue pairs: they then never take this lock, and the unmaps run outside it. Null goes
     * back to inline work.
     */
    void resetWith(final Executor executor)
    {
        temporary.resetWith(executor);
    }

    long min()
    {
        return min;
    }

    long max()
    {
        return max;
    }

    long low()
    {
        lock.lock();
        try
        {
            return low;
        }
        finally
        {
            lock.unlock();
        }
    }

    private long mapFixed(final long hostAddress, final long length, final long alignment)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final long iova = (low + alignment - 1) & -alignment;
            final boolean fits = iova + length <= fixedCeiling() && iova + length > iova;
            if (fits)
            {
                try
                {
                    iommu.map(hostAddress, length, iova);
                    low = iova + length;
                    return iova;
                }
                catch (final IommuException ex)
                {
                    if (ex.reason() != IommuException.Reason.NO_SPACE)
                    {
                        throw new NvmeException("the IOMMU refused to map " + length + " bytes at IOVA 0x"
                            + Long.toHexString(iova) + ": " + ex.getMessage(), ex);
                    }
                }
            }
            if (attempt == 0)
            {
                // Out of space or out of mappings: temporary epochs that nothing uses give both back, now
                // (inline even with a reset executor: this caller needs the room at once).
                temporary.reclaimForFixed();
            }
        }
        throw new IovaExhaustedException("IOVA space exhausted: cannot map " + length + " more bytes at a fixed IOVA"
            + " (fixed region ends at 0x" + Long.toHexString(low) + ", temporary region starts at 0x"
            + Long.toHexString(fixedCeiling()) + ", IOMMU mapping limit " + iommu.mappingLimit() + ")");
    }

    private void unmapFixed(final long iova, final long length)
    {
        iommu.unmap(iova, length);
        if (iova + length == low)
        {
            // The newest fixed mapping goes: give its IOVAs back to the bump allocator.
            low = iova;
        }
    }

    /** The fixed region may grow up to the lowest live temporary epoch. */
    private long fixedCeiling()
    {
        return temporary.ceiling(max);
    }
}
