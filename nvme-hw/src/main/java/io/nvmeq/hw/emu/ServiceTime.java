package io.nvmeq.hw.emu;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the emulated medium takes to serve one command once a channel is free: fixed, uniform
 * between two bounds, or exponential around a mean. Sampling allocates nothing.
 *
 * @param kind   the distribution
 * @param nanos  the fixed time, the lower bound of a uniform one, or the mean of an exponential one
 * @param upperNanos the upper bound of a uniform distribution; equal to {@code nanos} otherwise
 */
public record ServiceTime(Kind kind, long nanos, long upperNanos)
{
    public enum Kind
    {
        FIXED,
        UNIFORM,
        EXPONENTIAL
    }

    /** No service time: the command completes at once (the emulator's behaviour without a latency model). */
    public static final ServiceTime ZERO = new ServiceTime(Kind.FIXED, 0, 0);

    public ServiceTime
    {
        if (kind == null)
        {
            throw new IllegalArgumentException("service time kind is missing");
        }
        if (nanos < 0 || upperNanos < nanos)
        {
            throw new IllegalArgumentException("service time bounds must satisfy 0 <= " + nanos + " <= " + upperNanos);
        }
        if (kind != Kind.UNIFORM && upperNanos != nanos)
        {
            throw new IllegalArgumentException(kind + " service time has a single value, not " + nanos + ".." + upperNanos);
        }
    }

    public static ServiceTime fixed(final long nanos)
    {
        return new ServiceTime(Kind.FIXED, nanos, nanos);
    }

    public static ServiceTime uniform(final long minNanos, final long maxNanos)
    {
        return new ServiceTime(Kind.UNIFORM, minNanos, maxNanos);
    }

    public static ServiceTime exponential(final long meanNanos)
    {
        return new ServiceTime(Kind.EXPONENTIAL, meanNanos, meanNanos);
    }

    /** The expected service time: what throughput follows (channels ÷ mean). */
    public long meanNanos()
    {
        return kind == Kind.UNIFORM ? (nanos + upperNanos) / 2 : nanos;
    }

    public boolean isZero()
    {
        return upperNanos == 0;
    }

    /** One draw from the distribution. */
    long sample()
    {
        switch (kind)
        {
            case UNIFORM:
                return nanos + (long)(ThreadLocalRandom.current().nextDouble() * (upperNanos - nanos + 1));
            case EXPONENTIAL:
                return (long)(-nanos * Math.log(1.0 - ThreadLocalRandom.current().nextDouble()));
            case FIXED:
            default:
                return nanos;
        }
    }
}
