package io.nvmeq.examples.bench;

import org.HdrHistogram.AbstractHistogram;

/**
 * What one direction (read or write) of a run did in its measured window: I/Os, bytes and the latency of each
 * I/O from issue to completion as the load generator saw it.
 */
record DirectionResult(long ios, long bytes, long runtimeNs, AbstractHistogram latency, Samples samples)
{
    /** fio's percentiles, in its order. */
    static final double[] PERCENTILES = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

    double iops()
    {
        return ios * 1e9 / runtimeNs;
    }

    /** Bytes per second. */
    double bandwidth()
    {
        return bytes * 1e9 / runtimeNs;
    }

    long percentile(final double p)
    {
        return ios == 0 ? 0 : latency.getValueAtPercentile(p);
    }

    long min()
    {
        return ios == 0 ? 0 : latency.getMinValue();
    }

    long max()
    {
        return ios == 0 ? 0 : latency.getMaxValue();
    }

    double mean()
    {
        return ios == 0 ? 0 : latency.getMean();
    }

    double stddev()
    {
        return ios == 0 ? 0 : latency.getStdDeviation();
    }
}
