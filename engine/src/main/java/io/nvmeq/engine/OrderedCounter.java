package io.nvmeq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One counter with a single writer (as Agrona's {@code AtomicCounter} with its ordered increments):
 * the owner thread reads its own plain value and publishes the next with a release store (no lock, no
 * fence on x86); any thread reads it with acquire semantics, e.g. JMX or a benchmark report.
 */
public final class OrderedCounter
{
    private static final VarHandle VALUE;

    static
    {
        try
        {
            VALUE = MethodHandles.lookup().findVarHandle(OrderedCounter.class, "value", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private long value;

    /** The value as last published by its writer; from any thread. */
    public long get()
    {
        return (long)VALUE.getAcquire(this);
    }

    /** Adds one: the owner thread only. */
    public void increment()
    {
        VALUE.setRelease(this, value + 1);
    }

    /** Sets a gauge (a level, not a count), if it changed: the owner thread only. */
    public void set(final long newValue)
    {
        if (newValue != value)
        {
            VALUE.setRelease(this, newValue);
        }
    }

    @Override
    public String toString()
    {
        return Long.toString(get());
    }
}
