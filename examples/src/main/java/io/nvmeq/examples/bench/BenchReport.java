package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.JsonWriter;

/**
 * A {@link BenchResult} as fio prints it: the normal text report, and {@code --output-format=json} with fio's
 * field names where fio has one ({@code jobs[].read.iops}, {@code bw} in KiB/s, {@code lat_ns.percentile}...).
 * Both are written from the same numbers, so they agree.
 */
final class BenchReport
{
    private BenchReport()
    {
    }

    static void text(final BenchResult result, final PrintWriter out)
    {
        final JobSpec spec = result.spec();
        out.printf(Locale.ROOT, "%s: (g=0): rw=%s, bs=(R) %dB-%dB, (W) %dB-%dB, ioengine=%s, iodepth=%d%n",
            spec.name(), spec.rw().fioName(), spec.bs(), spec.bs(), spec.bs(), spec.bs(), result.engine(),
            spec.iodepth());
        out.printf("  device: %s%n", result.description());
        if (result.layoutBytes() > 0)
        {
            out.printf("  laid out %s (%d bytes) before the job%s%n", FioFormat.size(result.layoutBytes()),
                result.layoutBytes(), spec.verify() ? ", each block with its verify header" : "");
        }
        out.printf(Locale.ROOT, "%s: (groupid=0, jobs=%d): err=%2d: ramp=%dms, runtime=%dms%n", spec.name(),
            spec.numjobs(), result.ok() ? 0 : 1, TimeUnit.NANOSECONDS.toMillis(spec.rampNs()),
            TimeUnit.NANOSECONDS.toMillis(result.runtimeNs()));
        if (spec.verifyOnly())
        {
            out.printf("  verify_only: %d block(s) of %d bytes checked: %s%n", result.verifiedReads(), spec.bs(),
                result.verifyFailure() == null ? "OK" : "MISMATCH");
        }
        direction("read", result.read(), out);
        direction("write", result.write(), out);
        out.printf(Locale.ROOT, "  cpu          : usr=%.2f%%, sys=%.2f%%, cpu/IO=%.0f ns (process CPU time over " +
            "the measured window / I/Os)%n", result.usrCpuPercent(), result.sysCpuPercent(), result.cpuNsPerIo());
        out.printf("  IO depths    : %d per job x %d job(s)%n", spec.iodepth(), spec.numjobs());
        out.printf("     issued rwts: total=%d,%d,0,0%n", result.read().ios(), result.write().ios());
        if (spec.verify() && !spec.verifyOnly())
        {
            out.printf("  verify       : crc32c, %d read(s) checked: %s%n", result.verifiedReads(),
                result.verifyFailure() == null ? "OK" : "MISMATCH");
        }
        out.println();
        out.println("Run status group 0 (all jobs):");
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
        out.printf(Locale.ROOT, "    lat (nsec): min=%d, max=%d, avg=%.2f, stdev=%.2f%n", d.min(), d.max(), d.mean(),
            d.stddev());
        out.println("    lat percentiles (nsec):");
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
    }

    private static void status(final String name, final DirectionResult d, final PrintWriter out)
    {
        if (d.ios() == 0)
        {
            return;
        }
        final long ms = TimeUnit.NANOSECONDS.toMillis(d.runtimeNs());
        out.printf("  %5s: bw=%s (%s), io=%s (%d bytes), run=%d-%dmsec%n", name, FioFormat.bandwidth(d.bandwidth()),
            FioFormat.bandwidthDecimal(d.bandwidth()), FioFormat.size(d.bytes()), d.bytes(), ms, ms);
    }

    /** The whole fio-style JSON document for one result. */
    static String json(final BenchResult result, final String version)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        final long now = System.currentTimeMillis();
        json.field("nvmeq version", version)
            .field("timestamp", now / 1000)
            .field("timestamp_ms", now);
        json.name("global options");
        options(result, json);
        json.name("jobs").beginArray();
        job(result, json);
        json.endArray();
        return json.endObject().toString();
    }

    /** One entry of fio's {@code jobs[]} array. */
    static void job(final BenchResult result, final JsonWriter json)
    {
        final JobSpec spec = result.spec();
        json.beginObject()
            .field("jobname", spec.name())
            .field("groupid", 0)
            .field("error", result.ok() ? 0 : 1)
            .field("job_runtime", TimeUnit.NANOSECONDS.toMillis(result.runtimeNs()));
        json.name("job options");
        options(result, json);
        json.name("read");
        direction(result.read(), json);
        json.name("write");
        direction(result.write(), json);
        json.field("usr_cpu", result.usrCpuPercent())
            .field("sys_cpu", result.sysCpuPercent())
            // nvmeq's own fields: fio has no CPU time per I/O, engine description or verify summary.
            .field("cpu_ns_per_io", result.cpuNsPerIo())
            .field("engine", result.engine())
            .field("client", result.client())
            .field("device", result.device())
            .field("description", result.description())
            .field("region_bytes", result.regionBytes())
            .field("layout_bytes", result.layoutBytes());
        if (spec.verify())
        {
            json.name("verify").beginObject()
                .field("kind", "crc32c")
                .field("checked", result.verifiedReads())
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
            json.name("nvmeq").beginObject()
                .field("max_duty_cycle_ns", result.nvmeq().maxDutyCycleNs())
                .field("duty_cycles_over_1ms", result.nvmeq().dutyCyclesOverThreshold())
                .endObject();
        }
        json.endObject();
    }

    private static void options(final BenchResult result, final JsonWriter json)
    {
        final JobSpec spec = result.spec();
        json.beginObject()
            .field("rw", spec.rw().fioName())
            .field("rwmixread", Integer.toString(spec.rwmixread()))
            .field("bs", Integer.toString(spec.bs()))
            .field("iodepth", Integer.toString(spec.iodepth()))
            .field("numjobs", Integer.toString(spec.numjobs()))
            .field("runtime", TimeUnit.NANOSECONDS.toMillis(spec.runtimeNs()) + "ms")
            .field("ramp_time", TimeUnit.NANOSECONDS.toMillis(spec.rampNs()) + "ms")
            .field("size", Long.toString(result.regionBytes()))
            .field("ioengine", result.engine())
            .field("fua", spec.fua() ? "1" : "0")
            .field("verify", spec.verify() ? "crc32c" : "0")
            .field("filename", result.device())
            .endObject();
    }

    private static void direction(final DirectionResult d, final JsonWriter json)
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
        json.name("lat_ns").beginObject()
            .field("min", d.min())
            .field("max", d.max())
            .field("mean", d.mean())
            .field("stddev", d.stddev())
            .field("N", d.ios());
        if (d.ios() > 0)
        {
            json.name("percentile").beginObject();
            for (final double p : DirectionResult.PERCENTILES)
            {
                json.field(String.format(Locale.ROOT, "%.6f", p), d.percentile(p));
            }
            json.endObject();
        }
        json.endObject();
        json.endObject();
    }
}
