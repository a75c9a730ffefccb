package io.nvmeq.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
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

    private static final Path TASKS = Path.of("/proc/self/task");

    /**
     * A reading: total CPU ns, user and system ns, and fio's {@code minf}, {@code majf} (page faults) and
     * {@code ctx} (context switches of the threads alive at both readings); -1 where unknown.
     */
    record Sample(long cpuNs, long userNs, long systemNs, long minorFaults, long majorFaults, long contextSwitches)
    {
        Sample minus(final Sample earlier)
        {
            return new Sample(cpuNs - earlier.cpuNs, delta(userNs, earlier.userNs),
                delta(systemNs, earlier.systemNs), delta(minorFaults, earlier.minorFaults),
                delta(majorFaults, earlier.majorFaults), delta(contextSwitches, earlier.contextSwitches));
        }

        private static long delta(final long later, final long earlier)
        {
            return later < 0 || earlier < 0 ? -1 : Math.max(0, later - earlier);
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
        long minor = -1;
        long major = -1;
        try
        {
            final String stat = Files.readString(STAT);
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ", fields start at the third: state; utime is the 14th, stime the 15th.
            minor = Long.parseLong(fields[7]);
            major = Long.parseLong(fields[9]);
            user = Long.parseLong(fields[11]) * NANOS_PER_TICK;
            system = Long.parseLong(fields[12]) * NANOS_PER_TICK;
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux: the total below is still exact.
        }
        return new Sample(total, user, system, minor, major, contextSwitches());
    }

    /** Voluntary and involuntary context switches summed over the process's threads; -1 off Linux. */
    private static long contextSwitches()
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            long total = 0;
            for (final Path task : tasks)
            {
                try
                {
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (final IOException ex)
                {
                    // The thread ended between the listing and the read.
                }
            }
            return total;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
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
