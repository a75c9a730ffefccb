package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.JsonWriter;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A {@link BenchResult} as fio 3.x prints it: the normal text report, and {@code --output-format=json} in fio's
 * layout, field for field where nvmeq has the value ({@code jobs[].read.clat_ns.percentile}, {@code bw_min},
 * {@code iodepth_level}, {@code latency_us}...); nvmeq's own figures sit under {@code jobs[].nvmeq}. Both are
 * written from the same numbers, so they agree.
 *
 * <p>Latency: nvmeq times each I/O from the moment the load generator issues it to its completion. fio splits
 * that into submission ({@code slat}) and completion ({@code clat}) latency; nvmeq's submission is a message or a
 * ring write that returns at once, so {@code clat_ns} and {@code lat_ns} carry the same figures and
 * {@code slat_ns} has no samples ({@code N} = 0), as fio's own synchronous engines report it.
 */
final class BenchReport
{
    /** fio's {@code latency_ns} and {@code latency_us} bucket bounds; {@code latency_ms} adds 2000 and >=2000. */
    private static final long[] LATENCY_BUCKETS = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000};
    private static final String[] DEPTH_LEVELS = {"1", "2", "4", "8", "16", "32", ">=64"};
    private static final String[] SUBMIT_LEVELS = {"0", "4", "8", "16", "32", "64", ">=64"};

    private BenchReport()
    {
    }

    // ---------------------------------------------------------------------------------------------- text

    static void text(final BenchResult result, final int group, final PrintWriter out)
    {
        final JobSpec spec = result.spec();
        out.printf(Locale.ROOT, "%s: (g=%d): rw=%s, bs=(R) %dB-%dB, (W) %dB-%dB, (T) %dB-%dB, ioengine=%s, " +
            "iodepth=%d%n", spec.name(), group, spec.rw().fioName(), spec.bs(), spec.bs(), spec.bs(), spec.bs(),
            spec.bs(), spec.bs(), result.engine(), spec.iodepth());
        out.printf("  device: %s%n", result.description());
        if (result.layoutBytes() > 0)
        {
            out.printf("  laid out %s (%d bytes) before the job%s%n", FioFormat.size(result.layoutBytes()),
                result.layoutBytes(), spec.verify() ? ", each block with its verify header" : "");
        }
        if (result.interrupted())
        {
            out.println("  interrupted: the figures cover what ran until then");
        }
        out.printf(Locale.ROOT, "%s: (groupid=%d, jobs=%d): err=%2d: ramp=%dms, runtime=%dms%n", spec.name(), group,
            spec.numjobs(), result.ok() ? 0 : 1, TimeUnit.NANOSECONDS.toMillis(spec.rampNs()),
            TimeUnit.NANOSECONDS.toMillis(result.runtimeNs()));
        if (spec.verifyOnly())
        {
            out.printf("  verify_only: %d block(s) of %d bytes checked: %s%n", result.verifiedReads(), spec.bs(),
                result.verifyFailure() == null ? "OK" : "MISMATCH");
        }
        direction("read", result.read(), out);
        direction("write", result.write(), out);
        latencyBuckets(result, out);
        out.printf(Locale.ROOT, "  cpu          : usr=%.2f%%, sys=%.2f%%, ctx=%d, majf=%d, minf=%d, cpu/IO=%.0f ns " +
            "(process CPU time over the measured window / I/Os)%n", result.usrCpuPercent(), result.sysCpuPercent(),
            Math.max(0, result.cpu().contextSwitches()), Math.max(0, result.cpu().majorFaults()),
            Math.max(0, result.cpu().minorFaults()), result.cpuNsPerIo());
        out.printf(Locale.ROOT, "  alloc        : %.1f B/IO (heap bytes the JVM allocated over the measured window / I/Os)%n",
            result.allocatedBytesPerIo());
        if (!result.threadCpuNs().isEmpty())
        {
            final StringBuilder threads = new StringBuilder();
            result.threadCpuNs().forEach((name, ns) -> threads.append(threads.length() == 0 ? "" : ", ")
                .append(name).append(String.format(Locale.ROOT, " %.0f%%", ns * 100.0 / result.runtimeNs())));
            out.printf("  threads      : %s (CPU time of the busiest threads over the measured window)%n", threads);
        }
        out.printf("  IO depths    : %s%n", levels(DEPTH_LEVELS, depthPercents(result)));
        out.printf("     submit    : %s%n", levels(SUBMIT_LEVELS, onePerCall(result)));
        out.printf("     complete  : %s%n", levels(SUBMIT_LEVELS, onePerCall(result)));
        out.printf("     issued rwts: total=%d,%d,0,0 short=0,0,0,0 dropped=0,0,0,0%n", result.read().ios(),
            result.write().ios());
        out.printf("     latency   : target=0, window=0, percentile=100.00%%, depth=%d%n", spec.iodepth());
        if (spec.verify() && !spec.verifyOnly())
        {
            out.printf("  verify       : crc32c, %d read(s) checked: %s%n", result.verifiedReads() + result.readBack(),
                result.verifyFailure() == null ? "OK" : "MISMATCH");
            if (spec.rw().writes())
            {
                out.printf("                 %s%n", result.readBack() > 0 ?
                    result.readBack() + " block(s) read back after the writes, each checked against its last " +
                        "acknowledged write" : "no read-back (the job " + (result.interrupted() ? "was interrupted" :
                        "failed") + ")");
            }
        }
        out.println();
        out.printf("Run status group %d (all jobs):%n", group);
        status("READ", result.read(), out);
        status("WRITE", result.write(), out);
        out.flush();
    }

    private static void direction(final String name, final DirectionResult d, final PrintWriter out)
    {
        if (d.ios() == 0)
        {
            return;
        }
        out.printf(Locale.ROOT, "  %s: IOPS=%s, BW=%s (%s)(%s/%dmsec)%n", name, FioFormat.count(d.iops()),
            FioFormat.bandwidth(d.bandwidth()), FioFormat.bandwidthDecimal(d.bandwidth()), FioFormat.size(d.bytes()),
            TimeUnit.NANOSECONDS.toMillis(d.runtimeNs()));
        if (d.latency().getTotalCount() == 0)
        {
            // --verify_only reads its region in large transfers: no per-I/O latency to show.
            return;
        }
        out.printf(Locale.ROOT, "    clat (nsec): min=%d, max=%d, avg=%.2f, stdev=%.2f%n", d.min(), d.max(),
            d.mean(), d.stddev());
        out.printf(Locale.ROOT, "     lat (nsec): min=%d, max=%d, avg=%.2f, stdev=%.2f%n", d.min(), d.max(),
            d.mean(), d.stddev());
        out.println("    clat percentiles (nsec):");
        final double[] percentiles = DirectionResult.PERCENTILES;
        for (int i = 0; i < percentiles.length; i++)
        {
            if (i % 4 == 0)
            {
                out.print("     |");
            }
            out.printf(Locale.ROOT, " %5.2fth=[%d]%s", percentiles[i], d.percentile(percentiles[i]),
                i == percentiles.length - 1 ? "" : ",");
            if (i % 4 == 3 || i == percentiles.length - 1)
            {
                out.println();
            }
        }
        final Samples s = d.samples();
        if (s.count() > 0)
        {
            out.printf(Locale.ROOT, "   bw (  KiB/s): min=%.0f, max=%.0f, per=100.00%%, avg=%.2f, stdev=%.2f, " +
                "samples=%d%n", Samples.min(s.bandwidthKiBs()), Samples.max(s.bandwidthKiBs()),
                Samples.mean(s.bandwidthKiBs()), Samples.stddev(s.bandwidthKiBs()), s.count());
            out.printf(Locale.ROOT, "   iops        : min=%.0f, max=%.0f, avg=%.2f, stdev=%.2f, samples=%d%n",
                Samples.min(s.iops()), Samples.max(s.iops()), Samples.mean(s.iops()), Samples.stddev(s.iops()),
                s.count());
        }
    }

    /** fio's "lat (nsec)   : 500=11.91%, 750=76.56%" lines: the share of I/Os per latency bucket, non-zero ones. */
    private static void latencyBuckets(final BenchResult result, final PrintWriter out)
    {
        final AbstractHistogram all = combined(result);
        if (all.getTotalCount() == 0)
        {
            return;
        }
        final String[] units = {"nsec", "usec", "msec"};
        for (int u = 0; u < units.length; u++)
        {
            final Map<String, Double> buckets = buckets(all, u);
            final StringBuilder line = new StringBuilder();
            for (final Map.Entry<String, Double> bucket : buckets.entrySet())
            {
                if (bucket.getValue() >= 0.01)
                {
                    line.append(line.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s=%.2f%%", bucket.getKey(), bucket.getValue()));
                }
            }
            if (line.length() > 0)
            {
                out.printf("  lat (%s)   : %s%n", units[u], line);
            }
        }
    }

    private static String levels(final String[] names, final double[] percents)
    {
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < names.length; i++)
        {
            line.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s=%.1f%%", names[i], percents[i]));
        }
        return line.toString();
    }

    private static void status(final String name, final DirectionResult d, final PrintWriter out)
    {
        if (d.ios() == 0)
        {
            return;
        }
        final long ms = TimeUnit.NANOSECONDS.toMillis(d.runtimeNs());
        out.printf("  %5s: bw=%s (%s), %s-%s (%s-%s), io=%s (%d bytes), run=%d-%dmsec%n", name,
            FioFormat.bandwidth(d.bandwidth()), FioFormat.bandwidthDecimal(d.bandwidth()),
            FioFormat.bandwidth(d.bandwidth()), FioFormat.bandwidth(d.bandwidth()),
            FioFormat.bandwidthDecimal(d.bandwidth()), FioFormat.bandwidthDecimal(d.bandwidth()),
            FioFormat.size(d.bytes()), d.bytes(), ms, ms);
    }

    // ---------------------------------------------------------------------------------------------- JSON

    /** One group's job as the whole fio-style JSON document, with the options nvmeq derives from the spec. */
    static String json(final BenchResult result, final String version)
    {
        final JsonWriter json = document(version, null);
        job(result, 0, options(result), false, json);
        return json.endArray().endObject().toString();
    }

    /**
     * fio's document head: {@code fio version}, the timestamps, {@code global options} when there are any; the
     * caller then writes the {@code jobs} entries and closes the array and the object.
     */
    static JsonWriter document(final String version, final Map<String, String> globalOptions)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        final long now = System.currentTimeMillis();
        // Tools read "fio version" to learn the producer: this one is nvmeq, not fio.
        json.field("fio version", "nvmeq-" + version)
            .field("nvmeq version", version)
            .field("timestamp", now / 1000)
            .field("timestamp_ms", now)
            .field("time", new SimpleDateFormat("EEE MMM d HH:mm:ss yyyy", Locale.ROOT).format(new Date(now)));
        if (globalOptions != null && !globalOptions.isEmpty())
        {
            json.name("global options");
            strings(globalOptions, json);
        }
        return json.name("jobs").beginArray();
    }

    /** One entry of fio's {@code jobs[]} array. */
    static void job(final BenchResult result, final JsonWriter json)
    {
        job(result, 0, options(result), false, json);
    }

    /**
     * @param jobOptions the options as fio lists them under {@code job options} (those given for the job)
     * @param bins       json+: the latency bins too
     */
    static void job(final BenchResult result, final int group, final Map<String, String> jobOptions,
        final boolean bins, final JsonWriter json)
    {
        final JobSpec spec = result.spec();
        json.beginObject()
            .field("jobname", spec.name())
            .field("groupid", group)
            .field("error", result.ok() ? 0 : 1)
            .field("eta", 0)
            .field("elapsed", TimeUnit.NANOSECONDS.toSeconds(spec.rampNs() + result.runtimeNs() +
                TimeUnit.MILLISECONDS.toNanos(999)));
        json.name("job options");
        strings(jobOptions, json);
        json.name("read");
        direction(result.read(), bins, json);
        json.name("write");
        direction(result.write(), bins, json);
        json.name("trim");
        direction(new DirectionResult(0, 0, result.runtimeNs(), result.read().latency(), Samples.NONE), bins, json);
        json.name("sync").beginObject().field("total_ios", 0);
        json.name("lat_ns");
        stats(0, 0, 0, 0, 0, json);
        json.endObject();
        final CpuClock.Sample cpu = result.cpu();
        json.field("job_runtime", TimeUnit.NANOSECONDS.toMillis(result.runtimeNs()))
            .field("usr_cpu", result.usrCpuPercent())
            .field("sys_cpu", result.sysCpuPercent())
            .field("ctx", Math.max(0, cpu.contextSwitches()))
            .field("majf", Math.max(0, cpu.majorFaults()))
            .field("minf", Math.max(0, cpu.minorFaults()));
        percents("iodepth_level", DEPTH_LEVELS, depthPercents(result), json);
        percents("iodepth_submit", SUBMIT_LEVELS, onePerCall(result), json);
        percents("iodepth_complete", SUBMIT_LEVELS, onePerCall(result), json);
        final AbstractHistogram all = combined(result);
        final String[] names = {"latency_ns", "latency_us", "latency_ms"};
        for (int u = 0; u < names.length; u++)
        {
            json.name(names[u]).beginObject();
            for (final Map.Entry<String, Double> bucket : buckets(all, u).entrySet())
            {
                json.field(bucket.getKey(), bucket.getValue());
            }
            json.endObject();
        }
        // fio's latency-target options, at their defaults: nvmeq has no latency target.
        json.field("latency_depth", spec.iodepth())
            .field("latency_target", 0)
            .field("latency_percentile", 100.0)
            .field("latency_window", 0);
        json.name("nvmeq");
        nvmeq(result, json);
        json.endObject();
    }

    /** nvmeq's own figures, which fio has no field for. */
    private static void nvmeq(final BenchResult result, final JsonWriter json)
    {
        final JobSpec spec = result.spec();
        json.beginObject()
            .field("cpu_ns_per_io", result.cpuNsPerIo())
            .field("alloc_bytes_per_io", result.allocatedBytesPerIo())
            .field("engine", result.engine())
            .field("client", result.client())
            .field("device", result.device())
            .field("description", result.description())
            .field("region_offset", spec.offset())
            .field("region_bytes", result.regionBytes())
            .field("layout_bytes", result.layoutBytes())
            .field("time_based", spec.timeBased())
            .field("interrupted", result.interrupted());
        if (!result.threadCpuNs().isEmpty())
        {
            json.name("threads_cpu_ns").beginObject();
            result.threadCpuNs().forEach(json::field);
            json.endObject();
        }
        if (spec.verify())
        {
            json.name("verify").beginObject()
                .field("kind", "crc32c")
                .field("checked", result.verifiedReads() + result.readBack())
                .field("read_back", result.readBack())
                .field("ok", result.verifyFailure() == null);
            if (result.verifyFailure() != null)
            {
                json.field("failure", result.verifyFailure());
            }
            json.endObject();
        }
        if (result.ioFailure() != null)
        {
            json.field("error_text", result.ioFailure());
        }
        if (result.nvmeq() != null)
        {
            // The longest duty cycle of the queue-pair threads: a cycle that waits for something shows here.
            json.field("max_duty_cycle_ns", result.nvmeq().maxDutyCycleNs())
                .field("duty_cycles_over_1ms", result.nvmeq().dutyCyclesOverThreshold())
                .field("zero_copy", result.nvmeq().zeroCopy())
                .field("temporary_mapped", result.nvmeq().temporaryMapped())
                .field("bounced", result.nvmeq().bounced())
                .field("command_retries", result.nvmeq().commandRetries())
                .field("aborts", result.nvmeq().aborts())
                .field("restarts", result.nvmeq().restarts())
                // How the queue-pair threads waited, over the workload, and their own CPU time (% of one core).
                .field("completion_mode", result.nvmeq().completionMode())
                .field("queue_threads", result.nvmeq().queueThreads())
                .field("queue_thread_cpu_pct", result.nvmeq().queueThreadCpuPct())
                .field("sleeps", result.nvmeq().sleeps())
                .field("interrupts", result.nvmeq().interrupts())
                .field("spurious_wakeups", result.nvmeq().spuriousWakeups())
                .field("poll_window_hits", result.nvmeq().pollWindowHits());
        }
        json.endObject();
    }

    /** The options nvmeq ran with, in fio's names, for results without a command line (scale, reference matrix). */
    static Map<String, String> options(final BenchResult result)
    {
        final JobSpec spec = result.spec();
        final Map<String, String> options = new LinkedHashMap<>();
        options.put("name", spec.name());
        options.put("filename", result.device());
        options.put("rw", spec.rw().fioName());
        options.put("rwmixread", Integer.toString(spec.rwmixread()));
        options.put("bs", Integer.toString(spec.bs()));
        options.put("iodepth", Integer.toString(spec.iodepth()));
        options.put("numjobs", Integer.toString(spec.numjobs()));
        options.put("runtime", TimeUnit.NANOSECONDS.toMillis(spec.runtimeNs()) + "ms");
        options.put("ramp_time", TimeUnit.NANOSECONDS.toMillis(spec.rampNs()) + "ms");
        options.put("offset", Long.toString(spec.offset()));
        options.put("size", Long.toString(result.regionBytes()));
        options.put("ioengine", result.engine());
        options.put("fua", spec.fua() ? "1" : "0");
        options.put("verify", spec.verify() ? "crc32c" : "0");
        if (spec.timeBased())
        {
            options.put("time_based", "1");
        }
        return options;
    }

    private static void strings(final Map<String, String> values, final JsonWriter json)
    {
        json.beginObject();
        for (final Map.Entry<String, String> entry : values.entrySet())
        {
            if (entry.getValue() != null)
            {
                json.field(entry.getKey(), entry.getValue());
            }
        }
        json.endObject();
    }

    private static void direction(final DirectionResult d, final boolean bins, final JsonWriter json)
    {
        json.beginObject()
            .field("io_bytes", d.bytes())
            .field("io_kbytes", d.bytes() / 1024)
            .field("bw_bytes", Math.round(d.bandwidth()))
            .field("bw", Math.round(d.bandwidth() / 1024))
            .field("iops", d.iops())
            .field("runtime", d.ios() == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(d.runtimeNs()))
            .field("total_ios", d.ios())
            .field("short_ios", 0)
            .field("drop_ios", 0);
        json.name("slat_ns");
        stats(0, 0, 0, 0, 0, json);
        json.name("clat_ns");
        statsOpen(d.min(), d.max(), d.mean(), d.stddev(), d.ios(), json);
        if (d.ios() > 0)
        {
            json.name("percentile").beginObject();
            for (final double p : DirectionResult.PERCENTILES)
            {
                json.field(String.format(Locale.ROOT, "%.6f", p), d.percentile(p));
            }
            json.endObject();
            if (bins)
            {
                // json+: how many I/Os took each latency (nanoseconds, at HdrHistogram's 3 significant digits).
                json.name("bins").beginObject();
                for (final HistogramIterationValue value : d.latency().recordedValues())
                {
                    json.field(Long.toString(d.latency().highestEquivalentValue(value.getValueIteratedTo())),
                        value.getCountAtValueIteratedTo());
                }
                json.endObject();
            }
        }
        json.endObject();
        json.name("lat_ns");
        stats(d.min(), d.max(), d.mean(), d.stddev(), d.ios(), json);
        final Samples s = d.samples();
        final boolean any = s.count() > 0;
        json.field("bw_min", Math.round(Samples.min(s.bandwidthKiBs())))
            .field("bw_max", Math.round(Samples.max(s.bandwidthKiBs())))
            .field("bw_agg", any ? 100.0 : 0.0)
            .field("bw_mean", Samples.mean(s.bandwidthKiBs()))
            .field("bw_dev", Samples.stddev(s.bandwidthKiBs()))
            .field("bw_samples", s.count())
            .field("iops_min", Math.round(Samples.min(s.iops())))
            .field("iops_max", Math.round(Samples.max(s.iops())))
            .field("iops_mean", Samples.mean(s.iops()))
            .field("iops_stddev", Samples.stddev(s.iops()))
            .field("iops_samples", s.count());
        json.endObject();
    }

    private static void stats(final long min, final long max, final double mean, final double stddev, final long n,
        final JsonWriter json)
    {
        statsOpen(min, max, mean, stddev, n, json);
        json.endObject();
    }

    private static void statsOpen(final long min, final long max, final double mean, final double stddev,
        final long n, final JsonWriter json)
    {
        json.beginObject()
            .field("min", min)
            .field("max", max)
            .field("mean", mean)
            .field("stddev", stddev)
            .field("N", n);
    }

    private static void percents(final String name, final String[] keys, final double[] values, final JsonWriter json)
    {
        json.name(name).beginObject();
        for (int i = 0; i < keys.length; i++)
        {
            json.field(keys[i], values[i]);
        }
        json.endObject();
    }

    private static double[] depthPercents(final BenchResult result)
    {
        final long[] levels = result.depthLevels();
        long total = 0;
        for (final long level : levels)
        {
            total += level;
        }
        final double[] percents = new double[DEPTH_LEVELS.length];
        for (int i = 0; i < percents.length && total > 0; i++)
        {
            percents[i] = 100.0 * levels[i] / total;
        }
        return percents;
    }

    /**
     * fio's iodepth_submit and iodepth_complete: how many I/Os one submit or reap call carried. nvmeq's load
     * generator submits each I/O on its own and is told of each completion on its own: all in the 1-4 bucket.
     */
    private static double[] onePerCall(final BenchResult result)
    {
        final double[] percents = new double[SUBMIT_LEVELS.length];
        percents[1] = result.totalIos() > 0 ? 100.0 : 0.0;
        return percents;
    }

    private static AbstractHistogram combined(final BenchResult result)
    {
        final AbstractHistogram all = new Histogram(Worker.HIGHEST_LATENCY_NS, 3);
        if (result.read().ios() > 0)
        {
            all.add(result.read().latency());
        }
        if (result.write().ios() > 0)
        {
            all.add(result.write().latency());
        }
        return all;
    }

    /**
     * fio's latency buckets in one unit (0 ns, 1 us, 2 ms): the share of I/Os in percent whose latency is above
     * the previous bound and at most this one; every I/O falls in exactly one bucket of the three maps.
     */
    private static Map<String, Double> buckets(final AbstractHistogram all, final int unit)
    {
        final long scale = unit == 0 ? 1 : unit == 1 ? 1_000 : 1_000_000;
        final long total = all.getTotalCount();
        final Map<String, Double> buckets = new LinkedHashMap<>();
        long low = unit == 0 ? 0 : 1000 * (scale / 1000);
        for (final long bound : LATENCY_BUCKETS)
        {
            final long high = bound * scale;
            buckets.put(Long.toString(bound), share(all, low, high, total));
            low = high;
        }
        if (unit == 2)
        {
            buckets.put("2000", share(all, low, 2000 * scale, total));
            buckets.put(">=2000", total == 0 ? 0.0 : 100.0 * all.getCountBetweenValues(2000 * scale + 1,
                all.getHighestTrackableValue()) / total);
        }
        return buckets;
    }

    private static double share(final AbstractHistogram all, final long low, final long high, final long total)
    {
        if (total == 0)
        {
            return 0.0;
        }
        final long count = all.getCountBetweenValues(low == 0 ? 0 : low + 1, high);
        return 100.0 * count / total;
    }
}
