package io.nvmeq.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slice [low, high) of one temporary epoch, leased to one queue pair's {@link TemporaryMappings},
 * which bump-allocates its mappings downwards from {@code high} without any lock: it is the only
 * writer of {@link #cursor} and {@link #mappingsLeft}.
 *
 * <p>The one field two threads share is {@link #state}: the number of the lease's mappings that
 * commands in flight still use, plus the {@link #CLOSED} bit. The holder closes a lease that is full;
 * the {@link IovaSpace} closes every lease of an epoch it needs back (exhaustion, ENOSPC, trim). A
 * closed lease takes no new mapping, and whoever moves it to "closed, nothing in use" — the closer
 * when nothing was in use, else the holder releasing the last mapping — gives it back, exactly once.
 * Only a given-back lease counts towards its epoch's reset, so nothing is unmapped while in use.
 */
final class IovaLease
{
    static final int CLOSED = 1 << 30;
    private static final int IN_USE = CLOSED - 1;

    /** The epoch this lease was cut from, and the epoch's generation then (an epoch is reused after its reset). */
    final TemporaryEpoch epoch;
    final long generation;
    final long low;
    final long high;

    /** The holder's bump pointer: the next mapping ends here. Holder-only. */
    long cursor;
    /** Mappings the holder may still make in this lease (its share of the epoch's mapping quota). Holder-only. */
    int mappingsLeft;

    private final AtomicInteger state = new AtomicInteger();

    IovaLease(final TemporaryEpoch epoch, final long low, final long high, final int mappings)
    {
        this.epoch = epoch;
        this.generation = epoch.generation;
        this.low = low;
        this.high = high;
        this.cursor = high;
        this.mappingsLeft = mappings;
    }

    boolean holds(final long iova)
    {
        return iova >= low && iova < high;
    }

    /** Counts one more mapping in use, unless the lease is closed (then nothing changes). Holder-only. */
    boolean reserve()
    {
        while (true)
        {
            final int current = state.get();
            if ((current & CLOSED) != 0)
            {
                return false;
            }
            if (state.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * Counts one more use of a mapping made earlier in this lease (see {@link RecentMappings}). Holder-only.
     * An open lease takes it; so does one the holder closed because it was full, while some mapping of it
     * is still in use and its epoch is not wanted back: such a lease has not gone back (the last release
     * gives it back, on this same thread), so its mappings are still there. A closed lease with nothing in
     * use, or one whose epoch is wanted back, refuses: it goes back, and its epoch may be reset.
     */
    boolean reuse()
    {
        while (true)
        {
            final int current = state.get();
            if ((current & CLOSED) != 0 && ((current & IN_USE) == 0 || epoch.wantedBack))
            {
                return false;
            }
            if (state.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * One mapping fewer in use. Holder-only.
     *
     * @return true if this made the lease closed with nothing in use: the caller gives it back
     */
    boolean unreserve()
    {
        final int after = state.decrementAndGet();
        if ((after & IN_USE) == IN_USE)
        {
            throw new IllegalStateException("a temporary IOVA lease released more mappings than it made");
        }
        return after == CLOSED;
    }

    /**
     * Closes the lease (from any thread; closing twice is harmless).
     *
     * @return true if nothing was in use and this call closed it: the caller gives it back
     */
    boolean close()
    {
        while (true)
        {
            final int current = state.get();
            if ((current & CLOSED) != 0)
            {
                return false;
            }
            if (state.compareAndSet(current, current | CLOSED))
            {
                return current == 0;
            }
        }
    }

    boolean isClosed()
    {
        return (state.get() & CLOSED) != 0;
    }

    /** Mappings of this lease that commands in flight use now. */
    int inUse()
    {
        return state.get() & IN_USE;
    }
}
