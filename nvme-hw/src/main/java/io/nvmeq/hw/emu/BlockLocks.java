package io.nvmeq.hw.emu;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.StampedLock;

/**
 * Makes every logical block write atomic with respect to reads and writes from other queues (AWUN 0:
 * one block; NVMe base spec 2.0 §2.1.4 "Atomic Operations"). A command's data moves in several pieces
 * (one per PRP segment, and a block may straddle two segments), so without this a reader on another
 * queue could see half of a block being written.
 *
 * <p>Blocks are grouped into granules of 4 KiB, granules map onto a fixed set of striped read/write
 * locks; a command locks the stripes its LBA range covers, always in ascending stripe order, so two
 * commands never deadlock. Readers share. The lock views are fetched once: locking allocates nothing.
 */
final class BlockLocks
{
    private static final int STRIPES = 64;
    private static final int MASK = STRIPES - 1;
    private static final int GRANULE_SHIFT_BYTES = 12;

    private final int granuleShift;
    private final StampedLock[] stripes = new StampedLock[STRIPES];
    private final Lock[] readLocks = new Lock[STRIPES];
    private final Lock[] writeLocks = new Lock[STRIPES];

    BlockLocks(final int blockShift)
    {
        this.granuleShift = Math.max(0, GRANULE_SHIFT_BYTES - blockShift);
        for (int i = 0; i < STRIPES; i++)
        {
            final StampedLock lock = new StampedLock();
            stripes[i] = lock;
            readLocks[i] = lock.asReadLock();
            writeLocks[i] = lock.asWriteLock();
        }
    }

    /**
     * Starts a read without a lock (StampedLock's optimistic read: two loads instead of two CASes) when
     * the range lies in one granule (an aligned 4 KiB read) and no writer holds its stripe: returns the stamp to
     * {@link #validate} once the data is copied, or 0 when the caller must take {@link #lockRead} instead.
     */
    long tryOptimisticRead(final long slba, final long count)
    {
        if (count <= 0 || (slba >>> granuleShift) != ((slba + count - 1) >>> granuleShift))
        {
            return 0;
        }
        return stripes[(int)((slba >>> granuleShift) & MASK)].tryOptimisticRead();
    }

    /**
     * Whether no write to the range began since {@link #tryOptimisticRead} gave {@code stamp}: if not, what
     * was read may be half of a write and must be read again under the lock.
     */
    boolean validate(final long slba, final long stamp)
    {
        return stripes[(int)((slba >>> granuleShift) & MASK)].validate(stamp);
    }

    void lockRead(final long slba, final long count)
    {
        apply(slba, count, readLocks, true);
    }

    void unlockRead(final long slba, final long count)
    {
        apply(slba, count, readLocks, false);
    }

    void lockWrite(final long slba, final long count)
    {
        apply(slba, count, writeLocks, true);
    }

    void unlockWrite(final long slba, final long count)
    {
        apply(slba, count, writeLocks, false);
    }

    private void apply(final long slba, final long count, final Lock[] locks, final boolean lock)
    {
        if (count <= 0)
        {
            return;
        }
        final long first = slba >>> granuleShift;
        final long last = (slba + count - 1) >>> granuleShift;
        if (last - first + 1 >= STRIPES)
        {
            act(locks, 0, MASK, lock);
            return;
        }
        final int low = (int)(first & MASK);
        final int high = (int)(last & MASK);
        if (low <= high)
        {
            act(locks, low, high, lock);
        }
        else
        {
            // The range wraps around the stripes: still take them in ascending order.
            act(locks, 0, high, lock);
            act(locks, low, MASK, lock);
        }
    }

    private static void act(final Lock[] locks, final int from, final int to, final boolean lock)
    {
        for (int i = from; i <= to; i++)
        {
            if (lock)
            {
                locks[i].lock();
            }
            else
            {
                locks[i].unlock();
            }
        }
    }
}
