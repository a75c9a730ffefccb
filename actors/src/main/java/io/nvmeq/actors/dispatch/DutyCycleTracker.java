package io.nvmeq.actors.dispatch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The longest duty cycle of a busy-poll thread and how many cycles took longer than a threshold
 * (Aeron's {@code DutyCycleTracker}): the thread reads the clock once per cycle and measures from the
 * previous reading. A cycle that ended in the idle strategy (backing off or parking with nothing to do)
 * is not measured, so the figure is the longest stretch of work: a duty cycle that waits for something
 * shows here. Single writer (the thread), ordered stores; read from any thread.
 */
public final class DutyCycleTracker
{
    /** Cycles longer than this are counted: a millisecond is thousands of normal cycles (100–200 ns each). */
    public static final long DEFAULT_THRESHOLD_NANOS = 1_000_000L;

    private static final VarHandle MAX;
    private static final VarHandle OVER;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            MAX = lookup.findVarHandle(DutyCycleTracker.class, "maxCycleNanos", long.class);
            OVER = lookup.findVarHandle(DutyCycleTracker.class, "cyclesOverThreshold", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long thresholdNanos;
    /** Asked for by a reader ({@link #requestReset}); the thread itself clears the figures, as their one writer. */
    private volatile boolean resetRequested;
    private long cycleStart;
    private long maxCycleNanos;
    private long cyclesOverThreshold;

    public DutyCycleTracker(final long thresholdNanos)
    {
        this.thresholdNanos = thresholdNanos;
    }

    /** A cycle starts at {@code nowNanos} without ending a measured one (after idling). */
    void restart(final long nowNanos)
    {
        cycleStart = nowNanos;
    }

    /** The cycle that started at the last reading ended at {@code nowNanos}; the next one starts. */
    void measure(final long nowNanos)
    {
        final long cycle = nowNanos - cycleStart;
        cycleStart = nowNanos;
        if (resetRequested)
        {
            resetRequested = false;
            MAX.setRelease(this, 0L);
            OVER.setRelease(this, 0L);
        }
        if (cycle > maxCycleNanos)
        {
            MAX.setRelease(this, cycle);
        }
        if (cycle > thresholdNanos)
        {
            OVER.setRelease(this, cyclesOverThreshold + 1);
        }
    }

    /**
     * From any thread: the figures start afresh from the thread's next measured cycle on (e.g. after a
     * benchmark's ramp, so that start-up is not counted). The thread applies it, so no update is lost.
     */
    public void requestReset()
    {
        resetRequested = true;
    }

    /** The longest measured duty cycle so far, in nanoseconds. */
    public long maxCycleNanos()
    {
        return (long)MAX.getAcquire(this);
    }

    /** Measured duty cycles longer than {@link #thresholdNanos()}. */
    public long cyclesOverThreshold()
    {
        return (long)OVER.getAcquire(this);
    }

    public long thresholdNanos()
    {
        return thresholdNanos;
    }
}
