package io.nvmeq.engine;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.nvmeq.hw.device.Iommu;

/**
 * The temporary part of the {@link IovaSpace}: two {@link TemporaryEpoch epochs} above the fixed region,
 * cut into {@link IovaLease leases} for the queue pairs' {@link TemporaryMappings}. Its state changes
 * under the space's lock, which holders only try; when it is busy they use the lock-free queues.
 */
final class TemporaryRegion
{
    private final IovaSpace space;
    /** The space's lock: one lock for the fixed and the temporary region. */
    private final ReentrantLock lock;
    private final Iommu iommu;
    private final long max;
    private final long pageMask;
    /** Mappings one epoch may hold, so that an epoch closes before it takes all the IOMMU's entries. */
    private final int epochMappingQuota;
    private final TemporaryEpoch[] epochs = {new TemporaryEpoch(), new TemporaryEpoch()};
    private TemporaryEpoch active;
    private long epochsOpened;
    /** Holders of leases now (queue pairs): with a maintenance executor, each lease is 1 / holders of an epoch. */
    private int holders;

    /** Runs lease work and resets off the data path when set; null: the holders do it inline. */
    private volatile Executor resetExecutor;
    private final AtomicBoolean maintenanceScheduled = new AtomicBoolean();
    private final Runnable maintenance = this::maintain;
    /** Leases whose holders are done with them, waiting to be taken back by the maintenance run. */
    private final Queue<IovaLease> givenBack = new ConcurrentLinkedQueue<>();
    /** Leases that met ENOSPC: their epochs are wanted back. */
    private final Queue<IovaLease> pressure = new ConcurrentLinkedQueue<>();
    private final LeaseWaiters waiters = new LeaseWaiters();
    /**
     * What a waiting holder is handed: a standard share, whatever its last request (a request too large
     * for it is bounced, rather than every epoch being exhausted in search of room for it).
     */
    private final Supplier<IovaLease> standardLease = this::standardLease;

    private final LongAdder refusals = new LongAdder();
    private long epochResets;

    TemporaryRegion(final IovaSpace space, final Iommu iommu, final long max, final int epochMappingQuota)
    {
        this.space = space;
        this.lock = space.lock;
        this.iommu = iommu;
        this.max = max;
        this.pageMask = iommu.pageSize() - 1L;
        this.epochMappingQuota = epochMappingQuota;
    }

    /**
     * A lease cut now by the holder itself, or null. Without a maintenance executor it waits for the
     * lock; with one it only tries it (another thread holds it: null, and the holder asks the executor).
     */
    IovaLease leaseInline(final long bytes)
    {
        final int share = resetExecutor == null ? 1 : leasesPerEpoch();
        if (!lockForHolder())
        {
            return null;
        }
        try
        {
            takeBackGiven();
            return cut(bytes, share);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Takes the lock for a holder: waits for it without a maintenance executor, else only tries it. */
    private boolean lockForHolder()
    {
        if (resetExecutor == null)
        {
            lock.lock();
            return true;
        }
        return lock.tryLock();
    }

    /** The holder wants a lease in its hand-off slot. */
    void wantLease(final TemporaryMappings holder)
    {
        if (resetExecutor == null)
        {
            return;
        }
        waiters.add(holder);
        schedule();
    }

    /** A closed lease that nothing uses any more comes back from its holder (or from whoever closed it). */
    void giveBack(final IovaLease lease)
    {
        if (!lockForHolder())
        {
            givenBack.offer(lease);
            // Only a lease of an epoch wanted back wakes the maintenance run (a reset may be due); the
            // others wait for the next lease work, which takes them back first.
            if (!lease.epoch.wantedBack || schedule())
            {
                return;
            }
            lock.lock();
        }
        try
        {
            takeBackGiven();
            takeBack(lease);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** The IOMMU said ENOSPC for a mapping in {@code lease}: its epoch is wanted back, as with any exhaustion. */
    void noSpace(final IovaLease lease)
    {
        if (!lockForHolder())
        {
            pressure.offer(lease);
            if (schedule())
            {
                return;
            }
            lock.lock();
        }
        try
        {
            closeForPressure(lease);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** A queue pair's {@link TemporaryMappings} begin (+1) or end (-1, its queue pair released). Under the lock. */
    void holders(final int change)
    {
        holders = Math.max(0, holders + change);
    }

    /**
     * With a maintenance executor, an epoch is cut into one lease per holder: as large as leases can be while
     * each queue pair may hold one, so that its buffers fit in one lease and their mappings are reused there.
     * Without one, a lease is all that is left of the epoch (as if mapping in the epoch).
     */
    private int leasesPerEpoch()
    {
        return Math.max(1, holders);
    }

    void refused()
    {
        refusals.increment();
    }

    /** Closes every epoch, resetting each that nothing uses now. Under the lock. */
    void trim()
    {
        closeAll(resetExecutor == null);
    }

    long refusalCount()
    {
        return refusals.sum();
    }

    long resetCount()
    {
        return epochResets;
    }

    int inFlight()
    {
        return epochs[0].inUse() + epochs[1].inUse();
    }

    /** The fixed region needs room at once: every epoch that nothing uses is reset now, inline. Under the lock. */
    void reclaimForFixed()
    {
        closeAll(true);
    }

    /**
     * Closes every epoch; with {@code inline}, one that is drained and queued for the maintenance run,
     * which has not started on it (or is gone), is reset here, and so is each that nothing uses now.
     */
    private void closeAll(final boolean inline)
    {
        takeBackGiven();
        for (final TemporaryEpoch epoch : epochs)
        {
            if (epoch.live && epoch.resetting && !epoch.unmapping && inline)
            {
                reset(epoch);
            }
            else if (epoch.live && !epoch.resetting)
            {
                closeEpoch(epoch, inline);
            }
        }
    }

    /** The fixed region may grow up to the lowest live epoch, whichever its floor. Under the lock. */
    long ceiling(final long max)
    {
        long ceiling = max;
        for (final TemporaryEpoch epoch : epochs)
        {
            if (epoch.live)
            {
                ceiling = Math.min(ceiling, epoch.bottom);
            }
        }
        return ceiling;
    }

    /**
     * A lease that can take {@code bytes}: a {@code 1 / share} part of the open epoch (all that is left
     * of it when {@code share} is 1), from a new epoch when that one is exhausted; null when neither
     * epoch can give one now.
     */
    private IovaLease cut(final long bytes, final int share)
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final TemporaryEpoch epoch = openEpoch(bytes);
            if (epoch == null)
            {
                if (closeOlder())
                {
                    continue;
                }
                return null;
            }
            final long floor = Math.max(space.low(), epoch.floor);
            final long room = Math.min(epoch.byteQuota - (epoch.top - epoch.bottom), epoch.bottom - floor);
            if (room < bytes || epoch.mappingsLeft == 0)
            {
                exhaust(epoch);
                continue;
            }
            final long leaseBytes = share == 1 ? room : Math.min(room, Math.max(bytes, (epoch.byteQuota / share) & ~pageMask));
            final int mappings = share == 1 ? epoch.mappingsLeft
                : Math.min(epoch.mappingsLeft, Math.max(1, epochMappingQuota / share));
            final IovaLease lease = new IovaLease(epoch, epoch.bottom - leaseBytes, epoch.bottom, mappings);
            epoch.bottom -= leaseBytes;
            epoch.mappingsLeft -= mappings;
            epoch.leases.add(lease);
            return lease;
        }
        return null;
    }

    /** The open epoch, or a new one in the widest free gap if that can hold {@code bytes}; null otherwise. */
    private TemporaryEpoch openEpoch(final long bytes)
    {
        if (active != null && !active.exhausted)
        {
            return active;
        }
        TemporaryEpoch free = null;
        TemporaryEpoch other = null;
        for (final TemporaryEpoch epoch : epochs)
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
        long floor = TemporaryEpoch.FLOOR_IS_LOW;
        long gap = max - space.low();
        if (other != null)
        {
            final long above = max - other.top;
            final long below = other.bottom - space.low();
            if (above >= below)
            {
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
        // Half the gap, so that the next epoch finds room while this one drains; never less than the request.
        free.open(top, floor, Math.max(bytes, (gap / 2) & ~pageMask), epochMappingQuota);
        free.opened = ++epochsOpened;
        active = free;
        return free;
    }

    /** Cuts no more leases from {@code epoch}; reset at once if none is out. */
    private void exhaust(final TemporaryEpoch epoch)
    {
        epoch.exhausted = true;
        epoch.wantedBack = true;
        if (active == epoch)
        {
            active = null;
        }
        if (epoch.drained())
        {
            retire(epoch, false);
        }
    }

    /**
     * Both epochs are live and the open one is exhausted: close the older one's leases, so that it
     * drains, unless it is closing already (then a request waits for nothing: it is bounced).
     *
     * @return whether an epoch is free now
     */
    private boolean closeOlder()
    {
        TemporaryEpoch older = null;
        for (final TemporaryEpoch epoch : epochs)
        {
            if (epoch.live && epoch != active && (older == null || epoch.opened < older.opened))
            {
                older = epoch;
            }
        }
        if (older == null || older.closing || older.resetting || !older.exhausted)
        {
            return false;
        }
        closeEpoch(older, false);
        return !older.live;
    }

    /** Closes every lease of {@code epoch}; those that nothing uses come back now, the rest once drained. */
    private void closeEpoch(final TemporaryEpoch epoch, final boolean resetInline)
    {
        epoch.exhausted = true;
        epoch.closing = true;
        epoch.wantedBack = true;
        if (active == epoch)
        {
            active = null;
        }
        for (int i = epoch.leases.size() - 1; i >= 0; i--)
        {
            if (epoch.leases.get(i).close())
            {
                epoch.leases.remove(i);
            }
        }
        if (epoch.drained())
        {
            retire(epoch, resetInline);
        }
    }

    private void closeForPressure(final IovaLease lease)
    {
        final TemporaryEpoch epoch = lease.epoch;
        if (epoch.live && epoch.generation == lease.generation && !epoch.closing && !epoch.resetting)
        {
            closeEpoch(epoch, false);
        }
    }

    private void takeBack(final IovaLease lease)
    {
        final TemporaryEpoch epoch = lease.epoch;
        if (epoch.generation != lease.generation || !epoch.leases.remove(lease))
        {
            throw new IllegalStateException("a temporary IOVA lease came back twice");
        }
        if (epoch.drained())
        {
            retire(epoch, false);
        }
    }

    private void takeBackGiven()
    {
        IovaLease lease;
        while ((lease = givenBack.poll()) != null)
        {
            takeBack(lease);
        }
        while ((lease = pressure.poll()) != null)
        {
            closeForPressure(lease);
        }
    }

    void resetWith(final Executor executor)
    {
        resetExecutor = executor;
        if (executor != null)
        {
            schedule();
        }
    }

    /** Has the maintenance run scheduled once; false when there is no executor to run it (do it inline). */
    private boolean schedule()
    {
        final Executor executor = resetExecutor;
        if (executor == null)
        {
            return false;
        }
        if (maintenanceScheduled.compareAndSet(false, true))
        {
            try
            {
                executor.execute(maintenance);
            }
            catch (final RejectedExecutionException ex)
            {
                maintenanceScheduled.set(false);
                return false;
            }
        }
        return true;
    }

    /**
     * The executor's part: takes back given-back leases, closes epochs that met ENOSPC, hands leases to
     * holders that want one, and resets drained epochs, each with one unmap outside the lock.
     */
    private void maintain()
    {
        maintenanceScheduled.set(false);
        for (int round = 0; round < 4; round++)
        {
            final TemporaryEpoch[] resetting = new TemporaryEpoch[epochs.length];
            int count = 0;
            lock.lock();
            try
            {
                takeBackGiven();
                serveWanting();
                for (final TemporaryEpoch epoch : epochs)
                {
                    if (epoch.live && epoch.resetting && !epoch.unmapping)
                    {
                        // Marked, nobody else resets it while it is unmapped outside the lock; it stays live
                        // (occupied, nothing maps into it) until freed.
                        epoch.unmapping = true;
                        resetting[count++] = epoch;
                    }
                }
            }
            finally
            {
                lock.unlock();
            }
            if (count == 0)
            {
                return;
            }
            int unmapped = 0;
            try
            {
                for (; unmapped < count; unmapped++)
                {
                    final TemporaryEpoch epoch = resetting[unmapped];
                    if (epoch.top > epoch.bottom)
                    {
                        iommu.unmap(epoch.bottom, epoch.top - epoch.bottom);
                    }
                }
            }
            finally
            {
                freeUnmapped(resetting, count, unmapped);
            }
        }
    }

    /** Frees the first {@code unmapped} of the epochs a maintenance run unmapped; the rest (it failed) wait for a later run. */
    private void freeUnmapped(final TemporaryEpoch[] resetting, final int count, final int unmapped)
    {
        lock.lock();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final TemporaryEpoch epoch = resetting[i];
                if (i >= unmapped)
                {
                    epoch.unmapping = false;
                    continue;
                }
                if (epoch.top > epoch.bottom)
                {
                    epochResets++;
                }
                epoch.free();
            }
            serveWanting();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Puts a lease in the hand-off slot of each holder that wants one, as far as the epochs allow. */
    private void serveWanting()
    {
        waiters.serve(standardLease);
    }

    private IovaLease standardLease()
    {
        return cut(pageMask + 1, leasesPerEpoch());
    }

    /** A drained epoch: reset now, or hand it to the maintenance run. */
    private void retire(final TemporaryEpoch epoch, final boolean inline)
    {
        if (epoch.resetting)
        {
            return;
        }
        if (active == epoch)
        {
            active = null;
        }
        if (inline || resetExecutor == null)
        {
            reset(epoch);
            return;
        }
        epoch.resetting = true;
        if (!schedule())
        {
            epoch.resetting = false;
            reset(epoch);
        }
    }

    /** One unmap of the epoch's whole interval: the bulk reset of the temporary region. */
    private void reset(final TemporaryEpoch epoch)
    {
        if (epoch.top > epoch.bottom)
        {
            iommu.unmap(epoch.bottom, epoch.top - epoch.bottom);
            epochResets++;
        }
        epoch.free();
        if (active == epoch)
        {
            active = null;
        }
    }
}
