package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One temporary epoch of the {@link IovaSpace}: the interval [bottom, top), cut into {@link IovaLease}s
 * from the top down. All fields belong to the space and change under its lock.
 *
 * <p>Life: open (cuts leases) → exhausted (cuts no more; its leases still take mappings until full)
 * → closing (every lease closed, waiting for them to come back) → resetting (one unmap of the whole
 * interval; still occupied) → free. An exhausted or closing epoch whose leases have all come back is
 * reset.
 */
final class TemporaryEpoch
{
    static final long FLOOR_IS_LOW = -1;

    boolean live;
    boolean exhausted;
    boolean closing;
    /**
     * Exhausted or closing: a lease of it that comes back may complete its drain, so the holder wakes
     * the maintenance run; other leases come back lazily, with the next request for a lease. Read by
     * holders without the lock.
     */
    volatile boolean wantedBack;
    /** Handed to the maintenance run: still occupies its interval, cuts nothing. */
    boolean resetting;
    /**
     * The maintenance run is unmapping it now, outside the lock: nobody else may reset it. A resetting
     * epoch that is not being unmapped may be reset by whoever needs its room at once (a fixed allocation).
     */
    boolean unmapping;
    long top;
    /** The bottom of the lowest lease cut so far. */
    long bottom;
    /** The lowest IOVA it may take (the top of the epoch below it), or FLOOR_IS_LOW; never below the fixed region. */
    long floor;
    /** Bytes it may lease in all: half the gap it opened in, so that a successor has room. */
    long byteQuota;
    /** Mappings it may still lease out (its share of the IOMMU's mapping limit). */
    int mappingsLeft;
    /** When it opened, counted over all epochs: the older of two live epochs is closed first. */
    long opened;
    /** Bumped at every reset, so that a lease of an earlier life is recognised as stale. */
    long generation;
    /** Leases cut and not yet given back. */
    final List<IovaLease> leases = new ArrayList<>();

    void open(final long top, final long floor, final long byteQuota, final int mappingQuota)
    {
        this.live = true;
        this.exhausted = false;
        this.closing = false;
        this.resetting = false;
        this.unmapping = false;
        this.wantedBack = false;
        this.top = top;
        this.bottom = top;
        this.floor = floor;
        this.byteQuota = byteQuota;
        this.mappingsLeft = mappingQuota;
    }

    void free()
    {
        live = false;
        exhausted = false;
        closing = false;
        resetting = false;
        unmapping = false;
        wantedBack = false;
        top = 0;
        bottom = 0;
        mappingsLeft = 0;
        generation++;
        leases.clear();
    }

    /** Mappings of its leases that commands in flight use now. */
    int inUse()
    {
        int inUse = 0;
        for (final IovaLease lease : leases)
        {
            inUse += lease.inUse();
        }
        return inUse;
    }

    /** Cuts no more leases and its leases take no more mappings. */
    boolean drained()
    {
        return (exhausted || closing) && leases.isEmpty();
    }
}
