package io.nvmeq.actors.bench;

import java.lang.management.ManagementFactory;
import java.util.BitSet;

import io.nvmeq.hw.nativeio.CpuAffinity;
import org.HdrHistogram.Histogram;

/** Shared helpers of the benchmark mains (not tests: numbers depend on the machine and its load). */
final class BenchSupport
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private BenchSupport()
    {
    }

    /** Bytes thread {@code javaThreadId} allocated so far (HotSpot's TLAB accounting). */
    static long allocatedBytes(final long javaThreadId)
    {
        return THREADS.getThreadAllocatedBytes(javaThreadId);
    }

    /** The usable CPUs, lowest first. */
    static int[] usableCpus()
    {
        final BitSet usable = CpuAffinity.affinityOf((int)ProcessHandle.current().pid());
        usable.and(CpuAffinity.onlineCpus());
        return usable.stream().toArray();
    }

    static Histogram histogram()
    {
        return new Histogram(3_600_000_000_000L, 3);
    }

    static void printLatency(final String what, final Histogram histogram, final long nanos)
    {
        System.out.printf("%-44s %9.0f ops/s  mean %7.0f ns  p50 %7d  p99 %7d  p99.9 %8d  max %9d ns%n", what,
            histogram.getTotalCount() * 1e9 / nanos, histogram.getMean(), histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    static String load()
    {
        return String.format("load average %.2f on %d CPUs", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
            Runtime.getRuntime().availableProcessors());
    }
}
