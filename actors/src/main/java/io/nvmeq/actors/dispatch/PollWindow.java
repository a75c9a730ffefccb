package io.nvmeq.actors.dispatch;

/**
 * How long an idle queue-pair thread keeps polling before it sleeps, learned from the idle spells it
 * sees, as QEMU's adaptive polling does ({@code poll-max-ns}, {@code aio_poll}'s {@code
 * adjust_polling_time}). A spell is the time from the last work to the next: one no longer than the
 * window needs no change (polling caught it); one longer than the window but within the maximum
 * makes the window grow (double, from {@link #FIRST_WINDOW_NANOS}), since polling a little longer
 * would have caught it without a sleep and a wake-up; one past the maximum makes it shrink (halve),
 * since polling that long would cost more than the sleep saves. Owner thread only.
 */
final class PollWindow
{
    /** The first window once growing from none: QEMU's first step too. */
    static final long FIRST_WINDOW_NANOS = 4_000;

    private final long maxNanos;
    private long nanos;

    PollWindow(final long maxNanos)
    {
        if (maxNanos < 0)
        {
            throw new IllegalArgumentException("poll-window-max must not be negative, not " + maxNanos + " ns");
        }
        this.maxNanos = maxNanos;
    }

    /** The window now, ns. */
    long nanos()
    {
        return nanos;
    }

    long maxNanos()
    {
        return maxNanos;
    }

    /** An idle spell of {@code spellNanos} ended with work. */
    void observe(final long spellNanos)
    {
        if (spellNanos <= nanos)
        {
            return;
        }
        if (spellNanos > maxNanos)
        {
            nanos >>= 1;
        }
        else
        {
            nanos = Math.min(maxNanos, nanos == 0 ? Math.min(FIRST_WINDOW_NANOS, maxNanos) : nanos << 1);
        }
    }
}
