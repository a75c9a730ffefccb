package io.nvmeq.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's CPU time: in total (nanoseconds, from the JVM) and split into user and system time (clock ticks
 * from {@code /proc/self/stat}, where it exists). Everything in the process counts: the load generator, the
 * driver, and — for an emulated controller — the device's own work, just as the kernel's copying counts for
 * the POSIX baseline.
 */
final class CpuClock
{
    /** USER_HZ: the unit of /proc's utime and stime on every Linux architecture nvmeq runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path STAT = Path.of("/proc/self/stat");

    /** A reading: total CPU ns, user and system ns (-1 where unknown). */
    record Sample(long cpuNs, long userNs, long systemNs)
    {
        Sample minus(final Sample earlier)
        {
            return new Sample(cpuNs - earlier.cpuNs,
                userNs < 0 || earlier.userNs < 0 ? -1 : userNs - earlier.userNs,
                systemNs < 0 || earlier.systemNs < 0 ? -1 : systemNs - earlier.systemNs);
        }
    }

    private CpuClock()
    {
    }

    /**
     * Reads both clocks once, so that class loading and the management bean's set-up cost nothing at the first
     * real sample (they took ~100 ms of CPU and fell between its two readings).
     */
    static void warmUp()
    {
        now();
    }

    static Sample now()
    {
        final long total = processCpuNs();
        long user = -1;
        long system = -1;
        try
        {
            final String stat = Files.readString(STAT);
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ", fields start at the third: state; utime is the 14th, stime the 15th.
            user = Long.parseLong(fields[11]) * NANOS_PER_TICK;
            system = Long.parseLong(fields[12]) * NANOS_PER_TICK;
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux: the total below is still exact.
        }
        return new Sample(total, user, system);
    }

    private static long processCpuNs()
    {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
