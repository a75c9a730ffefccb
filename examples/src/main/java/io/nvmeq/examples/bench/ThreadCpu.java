package io.nvmeq.examples.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time per thread of this process, from Linux's {@code /proc/self/task/TID/schedstat} (nanoseconds on a
 * CPU), every thread the kernel knows, the JVM's compiler and GC threads included. Taken at both ends of a
 * measured window, it shows where the CPU went: the queue pair's thread, the emulated controller's own
 * threads, the load generator, the JIT. Empty where /proc is not there.
 */
final class ThreadCpu
{
    private static final Path TASKS = Path.of("/proc/self/task");
    /**
     * The end reading comes this long before the window's end (at most a twentieth of the window), while
     * the load's threads still run: a late wake-up (a busy machine, a TCG guest) must not miss them.
     */
    private static final long END_MARGIN_NS = 100_000_000;

    /** When to take the end reading of a window from {@code start} to {@code end}. */
    static long endReadingAt(final long start, final long end)
    {
        return end - Math.min(END_MARGIN_NS, (end - start) / 20);
    }
    /** Threads listed in a report, the busiest first. */
    static final int REPORTED = 8;

    private ThreadCpu()
    {
    }

    /** A reading: thread id to its name and CPU ns. */
    record Snapshot(Map<Integer, String> names, Map<Integer, Long> cpuNs)
    {
        /**
         * CPU ns per thread name since {@code earlier} (threads of one name summed, those started in between
         * counted from zero), the {@link #REPORTED} busiest, busiest first.
         */
        Map<String, Long> since(final Snapshot earlier)
        {
            final Map<String, Long> byName = new HashMap<>();
            cpuNs.forEach((tid, ns) ->
            {
                final long delta = ns - earlier.cpuNs.getOrDefault(tid, 0L);
                if (delta > 0)
                {
                    byName.merge(names.get(tid), delta, Long::sum);
                }
            });
            final Map<String, Long> top = new LinkedHashMap<>();
            byName.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(REPORTED)
                .forEach(entry -> top.put(entry.getKey(), entry.getValue()));
            return top;
        }
    }

    static Snapshot now()
    {
        final Map<Integer, String> names = new HashMap<>();
        final Map<Integer, Long> cpu = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final int tid = Integer.parseInt(task.getFileName().toString());
                    final String schedstat = Files.readString(task.resolve("schedstat")).trim();
                    final long ns = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    // Both read before either is kept: a thread that ends between the two reads leaves no
                    // CPU figure without a name.
                    final String name = Files.readString(task.resolve("comm")).trim();
                    cpu.put(tid, ns);
                    names.put(tid, name);
                }
                catch (final IOException | RuntimeException ex)
                {
                    // The thread ended between the listing and the read, or the kernel has no schedstat.
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux: no per-thread figures.
        }
        return new Snapshot(names, cpu);
    }
}
