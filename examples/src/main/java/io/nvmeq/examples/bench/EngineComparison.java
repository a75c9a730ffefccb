package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The end of a {@code bench --engine a,b,c} report: per job, each engine's I/Os per second, mean latency, CPU
 * and heap allocation per I/O, and the ratio of its I/Os to the first engine's, as measured back to back in this
 * run (a ratio from one run, not a timing against another machine).
 */
final class EngineComparison
{
    private EngineComparison()
    {
    }

    static void text(final List<BenchCommand.EngineRun> runs, final PrintWriter out)
    {
        out.println("Engines compared (each job on each engine in turn, back to back on the same data; ratio = I/Os " +
            "in the measured time / the first engine's):");
        out.printf("%-16s %-8s %11s %7s %11s %19s %11s %11s%n", "job", "engine", "IOPS", "ratio", "lat mean",
            "lat p50/p99", "CPU/IO", "alloc/IO");
        BenchResult first = null;
        String job = null;
        for (final BenchCommand.EngineRun run : runs)
        {
            if (!run.job().equals(job))
            {
                job = run.job();
                first = run.result();
            }
            final BenchResult result = run.result();
            final DirectionResult d = result.read().ios() > 0 ? result.read() : result.write();
            out.printf(Locale.ROOT, "%-16s %-8s %11s %6.2fx %8.2f us %19s %8.0f ns %9.1f B%n",
                result == first ? job : "", run.engine().cliName(),
                FioFormat.count(result.read().iops() + result.write().iops()), ratio(result, first),
                d.mean() / 1e3, String.format(Locale.ROOT, "%.1f/%.1f us", d.percentile(50) / 1e3,
                    d.percentile(99) / 1e3), result.cpuNsPerIo(), result.allocatedBytesPerIo());
        }
        out.println("CPU/IO and alloc/IO: the whole process over the measured window (load generator, driver and, " +
            "for an emulated controller, the device) / I/Os; lat: issue to completion, reads where the job reads.");
    }

    /** I/Os of {@code result} over those of {@code first} in the same measured time. */
    static double ratio(final BenchResult result, final BenchResult first)
    {
        final double base = (double)first.totalIos() * result.runtimeNs();
        return base == 0 ? 0 : result.totalIos() * (double)first.runtimeNs() / base;
    }
}
