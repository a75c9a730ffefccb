package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * fio's live status line while a job runs, on stderr (stdout keeps only the report):
 * {@code Jobs: 1 (f=1): [r(1)][run 45.0%][402MiB/s][103k IOPS][eta 00m:03s]}. On a terminal it rewrites
 * itself with a carriage return; otherwise (with {@code --eta=always}) it prints one line per second.
 */
class Progress
{
    /** No progress output. */
    static final Progress NONE = new Progress(null, false);

    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final PrintWriter out;
    private final boolean rewrite;
    private JobSpec spec;
    private long startAt;
    private long measureStart;
    private long endAt;
    private long lastTick;
    private long lastCompletions;
    private int lastLength;

    /**
     * @param out     where the line goes; null for none
     * @param rewrite rewrite one line with '\r' (a terminal) rather than print a line per tick
     */
    Progress(final PrintWriter out, final boolean rewrite)
    {
        this.out = out;
        this.rewrite = rewrite;
    }

    void begin(final JobSpec job, final long start, final long measure, final long end)
    {
        this.spec = job;
        this.startAt = start;
        this.measureStart = measure;
        this.endAt = end;
        this.lastTick = start;
        this.lastCompletions = 0;
        this.lastLength = 0;
    }

    /** When the next line is due. */
    long nextTick(final long now)
    {
        return out == null ? Long.MAX_VALUE : lastTick + INTERVAL_NS;
    }

    void tick(final long now, final long completions)
    {
        if (out == null || now - lastTick < INTERVAL_NS)
        {
            return;
        }
        final double seconds = (now - lastTick) / 1e9;
        final double iops = (completions - lastCompletions) / seconds;
        lastTick = now;
        lastCompletions = completions;
        final boolean ramping = now < measureStart;
        // A job without a runtime ends when its io_size is done: its share of time is unknown.
        final boolean timed = spec.runtimeNs() > 0;
        final double percent = timed ? 100.0 * (now - startAt) / Math.max(1, endAt - startAt) : 0;
        final long eta = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(endAt - now));
        final String direction = spec.rw().reads() && spec.rw().writes() ? "m" : spec.rw().reads() ?
            (spec.rw().random() ? "r" : "R") : (spec.rw().random() ? "w" : "W");
        final String line = String.format(Locale.ROOT, "Jobs: %d (f=%d): [%s(%d)][%s %s][%s][%s IOPS][eta %s]",
            spec.numjobs(), spec.numjobs(), direction, spec.numjobs(), ramping ? "ramp" : "run",
            timed ? String.format(Locale.ROOT, "%.1f%%", percent) : "-.-%",
            FioFormat.bandwidth(iops * spec.bs()), FioFormat.count(iops),
            timed ? String.format(Locale.ROOT, "%02dm:%02ds", eta / 60, eta % 60) : "--m:--s");
        if (rewrite)
        {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        }
        else
        {
            out.println(line);
        }
        out.flush();
    }

    void end()
    {
        if (out != null && rewrite && lastLength > 0)
        {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
    }
}
