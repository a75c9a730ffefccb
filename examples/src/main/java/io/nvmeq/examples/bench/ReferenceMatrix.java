package io.nvmeq.examples.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.examples.cli.JsonWriter;
import picocli.CommandLine.ParameterException;

/**
 * {@code nvmeq bench --reference-matrix}: the reference benchmark, the fio jobs with which QEMU's userspace
 * NVMe driver (block/nvme.c) was presented against the kernel's linux-aio path — bs=4k, rw=rand{read,write,rw}, iodepth 1 and 4,
 * one job, ramp then run — on nvmeq and on the POSIX baseline, cell by cell, printed as one table with the
 * ratio of I/Os per second in each cell.
 *
 * <p>What makes the comparison fair: both sides cover the same number of bytes, laid out with the same
 * pseudo-random bytes from the same seed before the first cell; both sides hold the data in RAM (an in-memory
 * namespace vs a file on tmpfs, i.e. the page cache), so neither waits for a medium; the same queue depth
 * (nvmeq: iodepth requests outstanding on one queue pair; POSIX: iodepth threads in pread/pwrite, as fio's psync
 * with numjobs=iodepth, since Java has no libaio); the same offsets and read/write mix from the same seed; and
 * the two sides of each cell run back to back so that drift in the machine's load hits both alike; and the
 * same CPUs ({@link SharedCpus}): POSIX's threads may use exactly the CPUs nvmeq's threads use, one when the
 * emulated controller runs inline, more with its device threads.
 */
final class ReferenceMatrix
{
    /** The reference jobs: fio's rw modes and queue depths, in the order of the presentation's chart. */
    private static final RwMode[] MODES = {RwMode.RANDREAD, RwMode.RANDWRITE, RwMode.RANDRW};
    private static final int[] DEPTHS = {1, 4};
    private static final long DEFAULT_SIZE = 64L << 20;
    private static final long WARM_UP_NS = TimeUnit.SECONDS.toNanos(1);

    private final BenchCommand options;
    private final Progress progress;

    ReferenceMatrix(final BenchCommand options, final Progress progress)
    {
        this.options = options;
        this.progress = progress;
    }

    /** One cell: the same job on both sides. */
    record Cell(String job, RwMode rw, int iodepth, BenchResult nvmeq, BenchResult posix)
    {
        double ratio()
        {
            final long posixIos = posix.totalIos();
            return posixIos == 0 ? 0 : (double)nvmeq.totalIos() / posixIos;
        }
    }

    int run(final PrintWriter out, final PrintWriter err, final boolean text, final boolean json) throws IOException, InterruptedException
    {
        for (final String fixed : new String[] {"--rw", "--iodepth", "--bs", "--numjobs", "--verify", "--verify_only"})
        {
            if (options.matched(fixed))
            {
                throw new ParameterException(options.commandLine(), "--reference-matrix runs the reference jobs (bs=4k, " +
                    "rw=rand{read,write,rw}, iodepth 1 and 4, numjobs=1): " + fixed + " cannot be changed");
            }
        }
        final EngineKind engine = options.engineKind();
        if (engine == EngineKind.POSIX)
        {
            throw new ParameterException(options.commandLine(), "--reference-matrix compares nvmeq with POSIX: " +
                "--engine must be actors or raw");
        }
        final ClientPlacement placement = options.placement(engine);
        final long rampNs = options.referenceTiming ? TimeUnit.SECONDS.toNanos(30) :
            options.matched("--ramp_time") ? options.timing.rampNs : TimeUnit.SECONDS.toNanos(1);
        final long runtimeNs = options.referenceTiming ? TimeUnit.SECONDS.toNanos(30) :
            options.matched("--runtime") && options.timing.runtimeNs > 0 ? options.timing.runtimeNs : TimeUnit.SECONDS.toNanos(2);
        final JobSpec base = options.jobSpec();
        final Path posixPath = options.posixFile != null ? Path.of(options.posixFile) : scratchFile();
        final List<Cell> cells = new ArrayList<>();
        final String client = BenchCommand.clientName(engine, placement);
        final SharedCpus cpus = SharedCpus.of(options.device());
        try (BenchTarget nvmeq = options.open(engine, placement, 1, 4);
             PosixTarget posix = new PosixTarget(posixPath, options.posixFile == null, cpus.cpus()))
        {
            final BenchRunner nvmeqRunner = new BenchRunner(nvmeq, options.device(), client,
                Targets.movesData(options.device()), progress);
            final BenchRunner posixRunner = new BenchRunner(posix, "posix:" + posixPath,
                BenchCommand.clientName(EngineKind.POSIX, placement), true, progress);
            final long size = Math.min(options.size > 0 ? options.size : DEFAULT_SIZE, nvmeq.capacity(base.nsid()));
            final JobSpec template = new JobSpec("reference", RwMode.RANDREAD, base.rwmixread(), 4096, 1, 1, runtimeNs,
                rampNs, 0, size, 0, true, 0, base.fua(), false, false, base.nsid(), base.seed());
            try
            {
                nvmeqRunner.check(template);
                posixRunner.check(template);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(options.commandLine(), ex.getMessage(), ex);
            }
            // The same bytes on both sides, once, before the first cell.
            if (nvmeqRunner.laysOut(template))
            {
                nvmeqRunner.layOut(template);
            }
            posixRunner.layOut(template);
            // Unmeasured: the JIT compiles both paths before the first cell counts (it would penalise that cell).
            final JobSpec warmUp = new JobSpec("warm-up", RwMode.RANDRW, 50, 4096, 4, 1,
                Math.min(WARM_UP_NS, runtimeNs), 0, 0, size, 0, true, 0,
                false, false, false, base.nsid(), base.seed());
            nvmeqRunner.run(warmUp, false);
            posixRunner.run(warmUp, false);
            for (final RwMode mode : MODES)
            {
                for (final int depth : DEPTHS)
                {
                    final String job = jobName(mode, depth);
                    final JobSpec cell = template.withRw(mode, job).withIodepth(depth);
                    final BenchResult a = nvmeqRunner.run(cell, false);
                    final BenchResult b = posixRunner.run(cell, false);
                    cells.add(new Cell(job, mode, depth, a, b));
                    if (!a.ok() || !b.ok())
                    {
                        break;
                    }
                }
            }
            if (text)
            {
                text(cells, template, nvmeq, posix, cpus, out);
            }
            if (json)
            {
                out.println(json(cells, template, nvmeq, posix, cpus));
            }
            out.flush();
        }
        for (final Cell cell : cells)
        {
            final int status = BenchCommand.exitStatus(cell.nvmeq(), err);
            if (status != ExitCodes.OK)
            {
                return status;
            }
            final int posixStatus = BenchCommand.exitStatus(cell.posix(), err);
            if (posixStatus != ExitCodes.OK)
            {
                return posixStatus;
            }
        }
        return ExitCodes.OK;
    }

    /** The talk's names: rand-read-1-req, rand-rw-4-req, ... */
    static String jobName(final RwMode mode, final int depth)
    {
        final String kind = switch (mode)
        {
            case RANDREAD -> "read";
            case RANDWRITE -> "write";
            default -> "rw";
        };
        return "rand-" + kind + "-" + depth + "-req";
    }

    /** A scratch file for the POSIX side, in /dev/shm (tmpfs: the page cache) where it can be. */
    static Path scratchFile() throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm))
        {
            return shm.resolve("nvmeq-reference-" + ProcessHandle.current().pid() + ".dat");
        }
        return Files.createTempFile("nvmeq-reference-", ".dat");
    }

    private static void text(final List<Cell> cells, final JobSpec template, final BenchTarget nvmeq,
        final PosixTarget posix, final SharedCpus cpus, final PrintWriter out)
    {
        out.printf(Locale.ROOT, "nvmeq bench --reference-matrix: the reference fio jobs, bs=4k, rw=rand{read,write,rw}, " +
                "iodepth 1 and 4, numjobs=1, ramp %d ms + run %d ms per cell%n",
            TimeUnit.NANOSECONDS.toMillis(template.rampNs()), TimeUnit.NANOSECONDS.toMillis(template.runtimeNs()));
        out.println("  nvmeq : " + nvmeq.description());
        out.println("  POSIX : " + posix.description());
        out.println("  device: " + cpus.mode());
        out.println("  CPUs  : the same on both sides, " + cpus.cpus() + " (POSIX's threads may run on those only)");
        out.printf(Locale.ROOT, "  data  : %s on each side, laid out with the same bytes (randseed %d); in RAM on " +
                "both: %s vs %s%n", FioFormat.size(template.size()), template.seed(),
            "the emulated namespace", posix.file().startsWith("/dev/shm") ? "a tmpfs file (page cache)" :
                "a file in the page cache");
        out.println("  order : an unmeasured randrw warm-up (1 s at most) on each side, then per cell nvmeq and POSIX back to back");
        out.println("  depth : nvmeq keeps iodepth requests outstanding on one queue pair; POSIX runs iodepth " +
            "threads in pread/pwrite (fio psync, numjobs=iodepth: Java has no libaio)");
        out.println();
        out.printf("%-17s %11s %11s %7s   %-19s %-19s %11s %11s%n", "job", "nvmeq IOPS", "POSIX IOPS", "ratio",
            "nvmeq lat p50/p99", "POSIX lat p50/p99", "nvmeq CPU/IO", "POSIX CPU/IO");
        for (final Cell cell : cells)
        {
            out.printf(Locale.ROOT, "%-17s %11s %11s %6.2fx   %-19s %-19s %11s %11s%n", cell.job(),
                FioFormat.count(iops(cell.nvmeq())), FioFormat.count(iops(cell.posix())), cell.ratio(),
                latency(cell.nvmeq()), latency(cell.posix()), cpu(cell.nvmeq()), cpu(cell.posix()));
        }
        out.println();
        out.println("ratio = nvmeq I/Os / POSIX I/Os in the same measured time (reads + writes for randrw); " +
            "latency = issue to completion, p50/p99 in us, reads for randread/randrw, writes for randwrite.");
        out.println("The reference run (QEMU nvme:// vs POSIX linux-aio, Intel DC P3700, fio-2.18, 30 s + 30 s): " +
            "rand-read-1-req 2.06x.");
    }

    private static double iops(final BenchResult result)
    {
        return result.read().iops() + result.write().iops();
    }

    private static String latency(final BenchResult result)
    {
        final DirectionResult d = result.read().ios() > 0 ? result.read() : result.write();
        return String.format(Locale.ROOT, "%.1f/%.1f us", d.percentile(50) / 1e3, d.percentile(99) / 1e3);
    }

    private static String cpu(final BenchResult result)
    {
        return String.format(Locale.ROOT, "%.0f ns", result.cpuNsPerIo());
    }

    private static String json(final List<Cell> cells, final JobSpec template, final BenchTarget nvmeq,
        final PosixTarget posix, final SharedCpus cpus)
    {
        final JsonWriter json = new JsonWriter().beginObject()
            .field("nvmeq version", Targets.version())
            .field("timestamp", System.currentTimeMillis() / 1000);
        json.name("seed_matrix").beginObject()
            .field("bs", template.bs())
            .field("numjobs", 1)
            .field("ramp_time_ms", TimeUnit.NANOSECONDS.toMillis(template.rampNs()))
            .field("runtime_ms", TimeUnit.NANOSECONDS.toMillis(template.runtimeNs()))
            .field("size", template.size())
            .field("randseed", template.seed())
            .field("nvmeq", nvmeq.description())
            .field("posix", posix.description())
            .field("device_threads", cpus.deviceThreads())
            .field("cpus", cpus.cpus().toString())
            .name("cells").beginArray();
        for (final Cell cell : cells)
        {
            json.beginObject()
                .field("job", cell.job())
                .field("rw", cell.rw().fioName())
                .field("iodepth", cell.iodepth())
                .field("ratio", cell.ratio());
            json.name("nvmeq");
            BenchReport.job(cell.nvmeq(), json);
            json.name("posix");
            BenchReport.job(cell.posix(), json);
            json.endObject();
        }
        json.endArray().endObject();
        return json.endObject().toString();
    }
}
