package io.nvmeq.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;

/**
 * One queue pair's temporary IOVA mappings. It maps inside IOVA ranges leased to it by the
 * {@link IovaSpace} and takes no lock to do so: a queue pair has one owner thread, and that thread
 * is the only caller of {@link #map} and {@link #release}.
 *
 * <p>Leases: the current one takes mappings until it is full (or the space closes it). The holder cuts
 * its next one itself when the space's lock is free at that moment, else the space's maintenance run
 * (the IOVA-mapping actor) cuts one and hands it over through {@link #handoff}; the maintenance run
 * also takes back leases given back meanwhile and does every bulk unmap. With no lease to be had,
 * {@link #map} answers {@link IovaSpace#NO_IOVA} at once and the caller bounces: the data path never
 * waits for a lock, a lease or a reset. Without a maintenance executor (the engine used without
 * actors) the holder does all of it itself, waiting for the lock.
 *
 * <p>Reuse: a request on a buffer mapped lately ({@link RecentMappings}) uses that mapping again, with no
 * IOMMU call and no room taken, while its lease has not gone back; an application that does I/O from a few
 * buffers over and over maps each about once, and its epochs are not exhausted at all.
 */
final class TemporaryMappings
{
    private static final IovaLease[] NO_LEASES = new IovaLease[0];
    /** While waiting for a hand-off, every 64th refused request schedules the maintenance run again. */
    private static final int REMIND_EVERY = 63;

    private final TemporaryRegion space;
    private final Iommu iommu;
    private final long pageMask;
    private final int queueId;

    /** Mappings made lately, reused by requests on the same buffers. */
    private final RecentMappings recent = new RecentMappings();
    private IovaLease current;
    /** Closed leases whose mappings commands in flight still use. */
    private IovaLease[] draining = NO_LEASES;
    private int drainingCount;
    private int refusedWhileWaiting;

    /** The next lease, put here by the space's maintenance run, taken by the holder. */
    final AtomicReference<IovaLease> handoff = new AtomicReference<>();
    /** Set while this holder waits in the space's queue for a lease. */
    final AtomicBoolean wantsLease = new AtomicBoolean();

    TemporaryMappings(final TemporaryRegion space, final Iommu iommu, final int queueId)
    {
        this.space = space;
        this.iommu = iommu;
        this.pageMask = iommu.pageSize() - 1L;
        this.queueId = queueId;
    }

    /** The queue pair these mappings belong to. */
    public int queueId()
    {
        return queueId;
    }

    /**
     * Maps [address, address + length) for one request, inside this holder's lease.
     *
     * @return the IOVA of byte {@code address}, or {@link IovaSpace#NO_IOVA} when no lease has room now
     *         (the caller bounces the data instead); every IOVA returned must be given back to
     *         {@link #release} exactly once, when the device is done with it.
     */
    public long map(final long address, final long length)
    {
        return map(null, address, length);
    }

    /**
     * Like {@link #map(long, long)}, for memory of {@code buffer}: a mapping made lately for the same buffer
     * object and covering the same pages is used again while its lease lasts (see {@link RecentMappings}).
     *
     * @param buffer the object whose memory [address, address + length) is, or null to map anew every time
     */
    public long map(final Object buffer, final long address, final long length)
    {
        if (address == 0 || length <= 0 || address + length < address)
        {
            throw new InvalidRequestException("cannot map " + length + " bytes at host address 0x"
                + Long.toHexString(address));
        }
        final long pageStart = address & ~pageMask;
        final long bytes = ((address + length + pageMask) & ~pageMask) - pageStart;
        if (buffer != null)
        {
            final long cached = recent.reuse(buffer, pageStart, pageStart + bytes, address);
            if (cached != IovaSpace.NO_IOVA)
            {
                return cached;
            }
        }
        // Three tries: the current lease, the handed-over one, a fresh one (when cutting inline).
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final IovaLease lease = current != null ? current : nextLease(bytes);
            if (lease == null)
            {
                break;
            }
            final long iova = lease.cursor - bytes;
            if (iova < lease.low || iova > lease.cursor || lease.mappingsLeft == 0)
            {
                retire(lease);
                continue;
            }
            if (!lease.reserve())
            {
                // The space closed it (it needs the epoch back).
                retire(lease);
                continue;
            }
            try
            {
                iommu.map(pageStart, bytes, iova);
            }
            catch (final IommuException ex)
            {
                if (lease.unreserve())
                {
                    forget(lease);
                    space.giveBack(lease);
                }
                if (ex.reason() != IommuException.Reason.NO_SPACE)
                {
                    throw new NvmeException("the IOMMU refused a temporary mapping of " + bytes + " bytes at IOVA 0x"
                        + Long.toHexString(iova) + ": " + ex.getMessage(), ex);
                }
                // ENOSPC (the mapping limit) is exhaustion like any other: the epoch is wanted back.
                space.noSpace(lease);
                retire(lease);
                continue;
            }
            lease.cursor = iova;
            lease.mappingsLeft--;
            if (buffer != null)
            {
                recent.remember(buffer, pageStart, pageStart + bytes, iova, lease);
            }
            return iova + (address - pageStart);
        }
        space.refused();
        return IovaSpace.NO_IOVA;
    }

    /** The device is done with the temporary mapping at {@code iova}; a drained, closed lease goes back. */
    public void release(final long iova)
    {
        final IovaLease lease = holding(iova);
        if (lease == null || lease.inUse() == 0)
        {
            throw new IllegalStateException("IOVA 0x" + Long.toHexString(iova) + " holds no temporary mapping in use");
        }
        if (lease.unreserve())
        {
            forget(lease);
            space.giveBack(lease);
        }
    }

    /** The handed-over lease if it can take {@code bytes}, else (inline) a freshly cut one, else null. */
    private IovaLease nextLease(final long bytes)
    {
        final IovaLease next = handoff.getAndSet(null);
        if (next != null && !next.isClosed())
        {
            if (next.cursor - next.low >= bytes)
            {
                current = next;
                return next;
            }
            // Too small for this request (which is bounced) but good for the next ones: keep it.
            if (handoff.compareAndSet(null, next))
            {
                return null;
            }
            retire(next);
        }
        if (wantsLease.get())
        {
            // The maintenance run has this holder in its queue and hands a lease over as soon as there is
            // room: bounce meanwhile without touching the space's lock, and remind it now and then (room can
            // come back without a run, e.g. when a fixed buffer is freed).
            if ((++refusedWhileWaiting & REMIND_EVERY) == 0)
            {
                space.wantLease(this);
            }
            return null;
        }
        final IovaLease cut = space.leaseInline(bytes);
        if (cut == null)
        {
            space.wantLease(this);
            return null;
        }
        current = cut;
        return cut;
    }

    /** Takes no more mappings in {@code lease}; it goes back now if nothing uses it, else once drained. */
    private void retire(final IovaLease lease)
    {
        if (current == lease)
        {
            current = null;
        }
        final boolean drainedNow = lease.close();
        if (drainedNow)
        {
            forget(lease);
            space.giveBack(lease);
        }
        else if (lease.inUse() > 0 && indexOf(lease) < 0)
        {
            if (drainingCount == draining.length)
            {
                draining = Arrays.copyOf(draining, Math.max(4, drainingCount * 2));
            }
            draining[drainingCount++] = lease;
        }
    }

    private void forget(final IovaLease lease)
    {
        recent.forget(lease);
        if (current == lease)
        {
            current = null;
        }
        final int index = indexOf(lease);
        if (index >= 0)
        {
            draining[index] = draining[--drainingCount];
            draining[drainingCount] = null;
        }
    }

    private int indexOf(final IovaLease lease)
    {
        for (int i = 0; i < drainingCount; i++)
        {
            if (draining[i] == lease)
            {
                return i;
            }
        }
        return -1;
    }

    private IovaLease holding(final long iova)
    {
        if (current != null && current.holds(iova))
        {
            return current;
        }
        for (int i = 0; i < drainingCount; i++)
        {
            if (draining[i].holds(iova))
            {
                return draining[i];
            }
        }
        return null;
    }
}
