package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.dma.DmaMemory;

/**
 * The device's IOVA space, the seed's scheme (QEMU's vfio-helpers):
 * <pre>
 *   min ........ low ............................................ max
 *   | fixed, up → |   free   | ← temporary epoch B | temporary epoch A |
 * </pre>
 * Fixed mappings (rings, PRP list pages, the bounce pool, engine-allocated and application-registered
 * buffers) are bump-allocated upwards from {@code min} and stay until freed. Temporary mappings of
 * other direct buffers are bump-allocated downwards inside an <em>epoch</em>, an interval of the space
 * above {@code low}. An epoch closes when it reaches its floor, its share of the space or mapping limit,
 * or when the IOMMU says ENOSPC (exhaustion of either kind is handled the same way). A closed epoch is
 * reset — one unmap of its whole interval — as soon as no command uses any of its mappings, while new
 * temporary mappings go into the next epoch: at most two epochs live at once, so the data path keeps
 * mapping while the old one drains. When neither can take a mapping, {@link #mapTemporary} says so and
 * the caller uses a bounce buffer.
 *
 * <p>Threads: map, release and the fixed allocator are serialised on this object (each calls into the
 * IOMMU anyway, a system call on VFIO); {@link #lookup} of registered ranges takes no lock.
 */
final class IovaSpace
{
    /** Lowest IOVA handed out (QEMU's vfio-helpers keep the same floor), so a zeroed PRP is always a fault. */
    static final long IOVA_MIN = 0x10000;
    /** A range at least this long is roomy enough for the fixed and the temporary region together. */
    static final long ROOMY_RANGE = 1L << 30;
    /** What {@link #mapTemporary} and {@link #lookup} return when they have no IOVA to give. */
    static final long NO_IOVA = -1;
    private static final long FLOOR_IS_LOW = -1;

    private final Iommu iommu;
    private final long min;
    private final long max;
    private final long pageMask;
    /** Mappings one epoch may hold, so that an epoch closes before it takes all the IOMMU's entries. */
    private final int epochMappingQuota;
    private final Epoch[] epochs = {new Epoch(), new Epoch()};

    private long low;
    private Epoch active;
    private volatile RegisteredRanges registered = RegisteredRanges.EMPTY;

    /** Resets drained epochs off the data path when set; null: the last releaser resets inline. */
    private volatile Executor resetExecutor;

    private long temporaryMappings;
    private long temporaryRefusals;
    private long epochResets;

    /** One temporary epoch: the interval [bottom, top) holds its mappings; it grows down to its floor. */
    private static final class Epoch
    {
        boolean live;
        boolean closed;
        long top;
        long bottom;
        /** The lowest IOVA it may take (the top of the epoch below it), or FLOOR_IS_LOW; never below {@code low}. */
        long floor;
        /** It closes after taking this many bytes: half the gap it opened in, so a successor has room. */
        long byteQuota;
        int mappings;
        int inFlight;
        /** Closed, drained, and handed to the reset executor: still occupies its interval, takes nothing. */
        boolean resetting;
    }

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
        this.epochMappingQuota = Math.max(1, iommu.mappingLimit() / 2);
    }

    /** Allocates pinned memory and maps it at the next fixed IOVA, registered for lookup when asked. */
    synchronized DmaBuffer allocateFixed(final int bytes, final boolean register)
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
            if (register)
            {
                registered = registered.with(memory.address(), memory.address() + memory.length(), iova);
            }
            return new DmaBuffer(memory, this, iova, bytes, register);
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw ex;
        }
    }

    synchronized DmaBuffer allocateFixed(final int bytes)
    {
        return allocateFixed(bytes, false);
    }

    /**
     * Maps application memory [address, address + length) at a fixed IOVA until {@link #unregister}
     * (the equivalent of QEMU's bdrv_register_buf): I/O into it is then zero-copy. Whole IOMMU pages
     * are mapped; the bytes of the range must not overlap another registered range.
     *
     * @return the IOVA of byte {@code address}
     */
    synchronized long register(final long address, final long length)
    {
        if (address == 0 || length <= 0 || address + length < address)
        {
            throw new InvalidRequestException("cannot register " + length + " bytes at host address 0x"
                + Long.toHexString(address));
        }
        if (registered.overlaps(address, address + length))
        {
            throw new InvalidRequestException("host memory [0x" + Long.toHexString(address) + ", 0x"
                + Long.toHexString(address + length) + ") overlaps memory registered already");
        }
        final long pageStart = address & ~pageMask;
        final long pageEnd = (address + length + pageMask) & ~pageMask;
        final long iova = mapFixed(pageStart, pageEnd - pageStart, iommu.pageSize());
        final long byteIova = iova + (address - pageStart);
        registered = registered.with(address, address + length, byteIova);
        return byteIova;
    }

    /** Undoes {@link #register}: the device can no longer reach the memory once this returns. */
    synchronized void unregister(final long address, final long length, final long byteIova)
    {
        final RegisteredRanges without = registered.without(address);
        if (without == registered)
        {
            throw new InvalidRequestException("host address 0x" + Long.toHexString(address) + " is not registered");
        }
        registered = without;
        final long pageStart = address & ~pageMask;
        final long pageEnd = (address + length + pageMask) & ~pageMask;
        unmapFixed(byteIova - (address - pageStart), pageEnd - pageStart);
    }

    /** Unmaps a fixed buffer, so that the device cannot reach it; its memory may be freed afterwards. */
    synchronized void release(final DmaBuffer buffer)
    {
        if (buffer.isRegistered())
        {
            registered = registered.without(buffer.address());
        }
        unmapFixed(buffer.iova(), buffer.mappedLength());
    }

    /**
     * The IOVA at which a fixed mapping makes [address, address + length) reachable, or {@link #NO_IOVA}.
     * Lock-free: safe on the data path of any thread.
     */
    long lookup(final long address, final long length)
    {
        return registered.lookup(address, length);
    }

    /**
     * Maps [address, address + length) temporarily, in the current epoch, for one request.
     *
     * @return the IOVA of byte {@code address}, or {@link #NO_IOVA} when neither epoch can take it now
     *         (the caller bounces the data instead); every IOVA returned must be given back to
     *         {@link #releaseTemporary} exactly once, when the device is done with it.
     */
    synchronized long mapTemporary(final long address, final long length)
    {
        if (address == 0 || length <= 0 || address + length < address)
        {
            throw new InvalidRequestException("cannot map " + length + " bytes at host address 0x"
                + Long.toHexString(address));
        }
        final long pageStart = address & ~pageMask;
        final long bytes = ((address + length + pageMask) & ~pageMask) - pageStart;
        // Two tries: the active epoch, then (after it closes) a fresh one.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final Epoch epoch = activeEpoch(bytes);
            if (epoch == null)
            {
                break;
            }
            // The fixed region may have grown since the epoch opened (into space a reset epoch gave back).
            final long floor = Math.max(low, epoch.floor);
            final long iova = epoch.bottom - bytes;
            if (iova < floor || epoch.top - iova > epoch.byteQuota || epoch.mappings >= epochMappingQuota)
            {
                close(epoch);
                continue;
            }
            try
            {
                iommu.map(pageStart, bytes, iova);
            }
            catch (final IommuException ex)
            {
                if (ex.reason() != IommuException.Reason.NO_SPACE)
                {
                    throw new NvmeException("the IOMMU refused a temporary mapping of " + bytes + " bytes at IOVA 0x"
                        + Long.toHexString(iova) + ": " + ex.getMessage(), ex);
                }
                // ENOSPC (the mapping limit) is exhaustion like any other: close the epoch, try the next.
                close(epoch);
                continue;
            }
            epoch.bottom = iova;
            epoch.mappings++;
            epoch.inFlight++;
            temporaryMappings++;
            return iova + (address - pageStart);
        }
        temporaryRefusals++;
        return NO_IOVA;
    }

    /** The device is done with a temporary mapping; the last one out of a closed epoch resets it. */
    synchronized void releaseTemporary(final long iova)
    {
        final Epoch epoch = epochHolding(iova);
        if (epoch == null || epoch.inFlight == 0)
        {
            throw new IllegalStateException("IOVA 0x" + Long.toHexString(iova) + " holds no temporary mapping in use");
        }
        if (--epoch.inFlight == 0 && epoch.closed)
        {
            retire(epoch);
        }
    }

    /** Closes the current epoch, resetting every epoch that is not in use now (e.g. before shutdown). */
    synchronized void trimTemporary()
    {
        for (final Epoch epoch : epochs)
        {
            if (epoch.live && epoch.resetting && resetExecutor == null)
            {
                // Handed to an executor that is gone: reset here (a late run of its task finds nothing to do).
                epoch.resetting = false;
                reset(epoch);
            }
            else if (epoch.live)
            {
                close(epoch);
            }
        }
    }

    synchronized long temporaryMappingCount()
    {
        return temporaryMappings;
    }

    /** Temporary mappings refused because both epochs were exhausted. */
    synchronized long temporaryRefusalCount()
    {
        return temporaryRefusals;
    }

    /** Epochs reset (one bulk unmap each). */
    synchronized long epochResetCount()
    {
        return epochResets;
    }

    /** Temporary mappings in use by commands in flight. */
    synchronized int temporaryInFlight()
    {
        return epochs[0].inFlight + epochs[1].inFlight;
    }

    long min()
    {
        return min;
    }

    long max()
    {
        return max;
    }

    synchronized long low()
    {
        return low;
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
                for (final Epoch epoch : epochs)
                {
                    if (epoch.live && !epoch.resetting)
                    {
                        epoch.closed = true;
                        if (epoch.inFlight == 0)
                        {
                            reset(epoch);
                        }
                    }
                }
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

    /** The fixed region may grow up to the lowest live epoch, whichever its floor. */
    private long fixedCeiling()
    {
        long ceiling = max;
        for (final Epoch epoch : epochs)
        {
            if (epoch.live)
            {
                ceiling = Math.min(ceiling, epoch.bottom);
            }
        }
        return ceiling;
    }

    /** The open epoch, or a new one in the widest free gap if that can hold {@code bytes}; null otherwise. */
    private Epoch activeEpoch(final long bytes)
    {
        if (active != null && !active.closed)
        {
            return active;
        }
        Epoch free = null;
        Epoch other = null;
        for (final Epoch epoch : epochs)
        {
            if (!epoch.live)
            {
                free = epoch;
            }
            else
            {
                other = epoch;
            }
        }
        if (free == null)
        {
            return null;
        }
        long top = max;
        long floor = FLOOR_IS_LOW;
        long gap = max - low;
        if (other != null)
        {
            final long above = max - other.top;
            final long below = other.bottom - low;
            if (above >= below)
            {
                top = max;
                floor = other.top;
                gap = above;
            }
            else
            {
                top = other.bottom;
                gap = below;
            }
        }
        if (gap < bytes)
        {
            return null;
        }
        free.live = true;
        free.closed = false;
        free.top = top;
        free.bottom = top;
        free.floor = floor;
        // Half the gap, so that the next epoch finds room while this one drains; never less than the request.
        free.byteQuota = Math.max(bytes, (gap / 2) & ~pageMask);
        free.mappings = 0;
        free.inFlight = 0;
        active = free;
        return free;
    }

    private void close(final Epoch epoch)
    {
        epoch.closed = true;
        if (epoch.inFlight == 0)
        {
            retire(epoch);
        }
    }

    /**
     * Has drained epochs reset by {@code executor} (e.g. an actor) rather than by the thread that
     * released the last mapping: the unmap then runs outside this lock, so the data path keeps mapping
     * into the other epoch meanwhile. Null goes back to inline resets.
     */
    void resetWith(final Executor executor)
    {
        resetExecutor = executor;
    }

    /** A closed epoch with nothing in flight: reset now, or hand it to the reset executor. */
    private void retire(final Epoch epoch)
    {
        final Executor executor = resetExecutor;
        if (epoch.resetting)
        {
            return;
        }
        if (executor == null)
        {
            reset(epoch);
            return;
        }
        epoch.resetting = true;
        if (active == epoch)
        {
            active = null;
        }
        try
        {
            executor.execute(() -> resetInBackground(epoch));
        }
        catch (final RejectedExecutionException ex)
        {
            epoch.resetting = false;
            reset(epoch);
        }
    }

    /** The executor's part: one unmap outside the lock, then the epoch's interval is free again. */
    private void resetInBackground(final Epoch epoch)
    {
        final long bottom;
        final long top;
        synchronized (this)
        {
            if (!epoch.resetting)
            {
                return;
            }
            bottom = epoch.bottom;
            top = epoch.top;
        }
        // Nothing maps into [bottom, top) meanwhile: the epoch stays live (occupied) until the end.
        if (top > bottom)
        {
            iommu.unmap(bottom, top - bottom);
        }
        synchronized (this)
        {
            if (top > bottom)
            {
                epochResets++;
            }
            epoch.resetting = false;
            epoch.live = false;
            epoch.closed = false;
            epoch.top = 0;
            epoch.bottom = 0;
            epoch.mappings = 0;
        }
    }

    /** One unmap of the epoch's whole interval: the bulk reset of the seed's scheme. */
    private void reset(final Epoch epoch)
    {
        if (epoch.top > epoch.bottom)
        {
            iommu.unmap(epoch.bottom, epoch.top - epoch.bottom);
            epochResets++;
        }
        epoch.live = false;
        epoch.closed = false;
        epoch.top = 0;
        epoch.bottom = 0;
        epoch.mappings = 0;
        if (active == epoch)
        {
            active = null;
        }
    }

    private Epoch epochHolding(final long iova)
    {
        for (final Epoch epoch : epochs)
        {
            if (epoch.live && iova >= epoch.bottom && iova < epoch.top)
            {
                return epoch;
            }
        }
        return null;
    }
}
