package io.nvmeq.examples.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.DeviceOption;
import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.examples.cli.JsonWriter;
import io.nvmeq.examples.io.NumberConverters;
import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.emu.EmulatedUri;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nvmeq bench}: a fio job (options or job files) on the actor path, the raw engine or the POSIX baseline. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    defaultValueProvider = BenchCommand.Defaults.class,
    description = {
        "Run fio jobs: fio's option names and meanings, from the command line or from fio job files ([global] and "
            + "one section per job; sections run one after another, each its own group), output like fio's (or its "
            + "JSON). A repeated option: the last one wins. Without --time_based a job ends when --io_size (default "
            + "--size) is done or at --runtime, whichever comes first.",
        "The same job runs on the actor path (--ioengine actors, the default), on the engine alone (raw), or on a "
            + "file through the kernel (posix: FileChannel pread/pwrite, iodepth threads, like fio's psync with "
            + "numjobs=iodepth).",
        "--reference-matrix runs the reference benchmark, the fio jobs with which QEMU's userspace NVMe driver "
            + "was presented (4 KiB rand{read,write,rw} at iodepth 1 and 4), on nvmeq and on POSIX over the same data "
            + "and prints one table with the ratio per cell.",
        "Ctrl-C stops the jobs and prints what ran, as fio does.",
        "Exit status: 0 done, 1 an I/O or the device failed, 2 bad options, 3 --verify found a bad block, "
            + "130 interrupted.",
        ""
    })
public final class BenchCommand implements Callable<Integer>
{
    /** This command's defaults for the shared option blocks: fio's (no runtime limit, no ramp). */
    public static final class Defaults implements IDefaultValueProvider
    {
        @Override
        public String defaultValue(final ArgSpec argSpec)
        {
            if (argSpec instanceof OptionSpec option)
            {
                return switch (option.longestName())
                {
                    case "--runtime", "--ramp_time" -> "0";
                    default -> null;
                };
            }
            return null;
        }
    }

    /** Options about the report, not the job: fio does not list them under a job's options. */
    private static final Set<String> REPORT_OPTIONS = Set.of("output-format", "output", "eta");

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "JOBFILE", arity = "0..*",
        description = "fio job files: [global] and job sections, key=value lines and bare flags, ; and # comments; "
            + "the job file's options override the command line's, as in fio.")
    List<Path> jobFiles = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "Job name in the report (default: the rw mode).")
    String name;

    @Option(names = {"--filename", "--device"}, paramLabel = "URI", defaultValue = DeviceUri.DEFAULT,
        description = {
            "The target, as fio's filename: emu:memory|null|file:/abs/path[?params], nvme://DDDD:BB:DD.F/N, or "
                + "posix:/abs/file for the baseline; fio's \\: escape is accepted (default: ${DEFAULT-VALUE})."
        })
    String filename;

    @Option(names = {"--rw", "--readwrite"}, paramLabel = "MODE", defaultValue = "read",
        description = "read, write, rw (alias readwrite: sequential mixed), randread, randwrite or randrw "
            + "(default: ${DEFAULT-VALUE}).")
    String rw;

    @Option(names = "--rwmixread", paramLabel = "PCT", defaultValue = "50",
        description = "Percentage of reads in rw and randrw (default: ${DEFAULT-VALUE}).")
    int rwmixread;

    @Option(names = "--rwmixwrite", paramLabel = "PCT",
        description = "Percentage of writes in rw and randrw: sets --rwmixread to 100 - PCT.")
    Integer rwmixwrite;

    @Option(names = {"--bs", "--blocksize"}, paramLabel = "BYTES", defaultValue = "4k",
        converter = NumberConverters.Size.class,
        description = "Bytes per I/O, a multiple of the logical block size (default: ${DEFAULT-VALUE}).")
    long bs;

    @Option(names = "--iodepth", paramLabel = "N", defaultValue = "1",
        description = "I/Os each job keeps outstanding (default: ${DEFAULT-VALUE}).")
    int iodepth;

    @Option(names = {"--numjobs", "--queue-pairs"}, paramLabel = "N", defaultValue = "1",
        description = "Jobs, each on its own queue pair (posix: its own iodepth threads), reported as one group "
            + "(default: ${DEFAULT-VALUE}).")
    int numjobs;

    @Mixin
    TimingOptions timing;

    @Option(names = "--time_based", paramLabel = "0|1", arity = "0..1", fallbackValue = "true",
        converter = FioFlag.class,
        description = "Run for --runtime even when --io_size is done (the region is gone over again).")
    boolean timeBased;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", converter = NumberConverters.Size.class,
        description = "First byte of the region, a multiple of the logical block size (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "0", converter = NumberConverters.Size.class,
        description = "Bytes of the region from --offset (default: to the end of the device; 64m with "
            + "--reference-matrix; required for a new posix file).")
    long size;

    @Option(names = {"--io_size", "--io_limit"}, paramLabel = "BYTES", defaultValue = "0",
        converter = NumberConverters.Size.class,
        description = "Bytes of I/O each job does before it ends, unless --time_based (default: --size).")
    long ioSize;

    @Option(names = "--rate_iops", paramLabel = "N", defaultValue = "0",
        description = "I/Os per second each job issues at most, evenly spaced: a light steady load; 0 = as fast as "
            + "it can (default: ${DEFAULT-VALUE}).")
    long rateIops;

    @Option(names = "--direct", paramLabel = "0|1", defaultValue = "0",
        description = "Accepted for fio's command lines; no effect: nvmeq moves data between DMA buffers and the "
            + "device with no page cache between them (the posix baseline stays buffered).")
    int direct;

    @Option(names = "--group_reporting", paramLabel = "0|1", arity = "0..1", fallbackValue = "true",
        converter = FioFlag.class,
        description = "Accepted: nvmeq always reports the numjobs of a job as one group.")
    boolean groupReporting;

    @Option(names = {"--stonewall", "--wait_for_previous", "--new_group", "--thread"}, arity = "0..1",
        fallbackValue = "true", converter = FioFlag.class, paramLabel = "0|1", hidden = true,
        description = "Accepted for fio's job files: job sections always run one after another, on threads.")
    boolean ignored;

    @Option(names = "--fua", paramLabel = "0|1", arity = "0..1", fallbackValue = "true",
        converter = FioFlag.class,
        description = "Writes with Force Unit Access (posix: O_DSYNC).")
    boolean fua;

    @Option(names = "--verify", paramLabel = "crc32c",
        description = "crc32c: every block written carries its offset, a write sequence and a CRC-32C; every read "
            + "is checked; a job that writes reads its whole region back at its end and checks each block against "
            + "its last acknowledged write; a mismatch names the block (exit status 3). 0 = off.")
    String verify;

    @Option(names = "--verify_only", paramLabel = "0|1", arity = "0..1", fallbackValue = "true",
        converter = FioFlag.class,
        description = "No workload: read the region once and check the blocks an earlier --verify job left, each "
            + "against the last write that job saw acknowledged (from its verify state file).")
    boolean verifyOnly;

    @Option(names = "--verify_state_save", paramLabel = "0|1", defaultValue = "1",
        description = "A verify job that writes saves each block's last acknowledged write sequence for a later "
            + "--verify_only (default: ${DEFAULT-VALUE}).")
    int verifyStateSave;

    @Option(names = "--verify_state_load", paramLabel = "0|1", defaultValue = "1",
        description = "--verify_only checks against the saved state when there is one (default: ${DEFAULT-VALUE}).")
    int verifyStateLoad;

    @Option(names = "--verify_state_file", paramLabel = "PATH",
        description = "Where that state goes (default: nvmeq-verify-<device>-ns<N>.state in the temporary "
            + "directory).")
    Path verifyStateFile;

    @Mixin
    EngineOptions engine;

    @Option(names = {"-n", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "Namespace (default: ${DEFAULT-VALUE}).")
    int nsid;

    @Option(names = "--randseed", paramLabel = "SEED", defaultValue = "20170713",
        description = "Seeds offsets, the read/write mix and the data (default: ${DEFAULT-VALUE}).")
    long randseed;

    @Mixin
    OutputOptions output;

    @Mixin
    ProgressOptions eta;

    @Option(names = {"--reference-matrix", "--seed-matrix"},
        description = "The reference benchmark (the fio jobs QEMU's userspace NVMe driver was presented with) on "
            + "nvmeq and on POSIX, one table with the ratio per cell.")
    boolean referenceMatrix;

    @Option(names = "--posix-file", paramLabel = "PATH",
        description = "--reference-matrix, or posix in a list of engines on an NVMe device: the POSIX side's file "
            + "(default: a scratch file in /dev/shm, deleted after).")
    String posixFile;

    @Option(names = {"--reference-timing", "--seed-timing"},
        description = "--reference-matrix: the reference run's own timing, ramp 30 s and run 30 s per cell "
            + "(default: 1 s + 2 s).")
    boolean referenceTiming;

    /** The runner of the job now running, for an interrupt to stop. */
    private volatile BenchRunner current;
    private volatile boolean interrupted;

    @Override
    public Integer call() throws Exception
    {
        output.validate();
        final PrintWriter err = spec.commandLine().getErr();
        final Progress progress = eta.progress(err);
        if (referenceMatrix)
        {
            final PrintWriter out = output.open(spec.commandLine().getOut());
            try
            {
                return new ReferenceMatrix(this, progress).run(out, err, output.text(), output.json());
            }
            finally
            {
                output.close(out);
            }
        }
        final List<Job> jobs = jobs();
        final CountDownLatch reported = new CountDownLatch(1);
        final Thread hook = new Thread(() -> interrupt(reported), "nvmeq-bench-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            return runAll(jobs, progress, err);
        }
        finally
        {
            reported.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is shutting down (Ctrl-C): the hook is running and waits for the report just printed.
            }
        }
    }

    /** Ctrl-C (the JVM's shutdown): stop the running job and wait, bounded, until its report is out. */
    private void interrupt(final CountDownLatch reported)
    {
        interrupted = true;
        final BenchRunner runner = current;
        if (runner != null)
        {
            runner.stop();
        }
        try
        {
            reported.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One job to run: its spec, its command (for device and engine), its fio options and its group. */
    private record Job(BenchCommand options, JobSpec spec, Map<String, String> jobOptions, int group)
    {
    }

    /** A job as one engine of a list ran it; {@code ioengine} goes into its {@code job options}. */
    record EngineRun(String job, EngineKind engine, BenchResult result)
    {
    }

    private Map<String, String> globalOptions = new LinkedHashMap<>();

    /** The jobs of the command line, or of the job files (command line, then [global], then the section). */
    private List<Job> jobs() throws IOException
    {
        final List<Job> jobs = new ArrayList<>();
        if (jobFiles.isEmpty())
        {
            jobs.add(new Job(this, jobSpec(), givenOptions(spec.commandLine().getParseResult().matchedOptions()), 0));
            return jobs;
        }
        final List<String> base = commandLineArguments();
        for (final Path path : jobFiles)
        {
            final JobFile file;
            try
            {
                file = JobFile.parse(path);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
            }
            globalOptions.putAll(file.globals());
            for (final JobFile.Section section : file.jobs())
            {
                final List<String> args = new ArrayList<>(base);
                args.addAll(JobFile.arguments(section.merged()));
                args.add("--name=" + section.name());
                final BenchCommand job = new BenchCommand();
                final CommandLine commandLine = new CommandLine(job);
                commandLine.setOverwrittenOptionsAllowed(true);
                try
                {
                    commandLine.parseArgs(args.toArray(String[]::new));
                    final Map<String, String> own = new LinkedHashMap<>();
                    // As fio lists them: options with a value (bare flags such as time_based are left out).
                    section.options().forEach((key, value) ->
                    {
                        if (value != null)
                        {
                            own.put(key, value);
                        }
                    });
                    jobs.add(new Job(job, job.jobSpec(), own, jobs.size()));
                }
                catch (final ParameterException ex)
                {
                    throw new ParameterException(spec.commandLine(), path + " [" + section.name() + "]: " +
                        ex.getMessage(), ex);
                }
            }
        }
        return jobs;
    }

    private int runAll(final List<Job> jobs, final Progress progress, final PrintWriter err) throws Exception
    {
        final List<BenchResult> results = new ArrayList<>();
        final List<Job> ran = new ArrayList<>();
        final List<EngineRun> compared = new ArrayList<>();
        int status = ExitCodes.OK;
        final PrintWriter out = output.open(spec.commandLine().getOut());
        try
        {
            for (final Job job : jobs)
            {
                final List<EngineKind> engines = job.options().engine.engineKinds(job.options().device());
                job.options().engine.placement(engines);
                // Each engine of a list in turn, back to back on the same data: the same seed lays out the same bytes.
                for (final EngineKind engineKind : engines)
                {
                    if (interrupted)
                    {
                        break;
                    }
                    final BenchResult result = job.options().runOne(job.spec(), engineKind, engines.size() > 1,
                        progress, err, this);
                    results.add(result);
                    if (engines.size() > 1)
                    {
                        final Map<String, String> options = new LinkedHashMap<>(job.jobOptions());
                        options.put("ioengine", engineKind.cliName());
                        ran.add(new Job(job.options(), job.spec(), options, job.group()));
                        compared.add(new EngineRun(job.spec().name(), engineKind, result));
                    }
                    else
                    {
                        ran.add(job);
                    }
                    if (output.text())
                    {
                        BenchReport.text(result, job.group(), out);
                        out.flush();
                    }
                    status = Math.max(status, exitStatus(result, err));
                }
            }
            if (output.text() && !compared.isEmpty())
            {
                EngineComparison.text(compared, out);
                out.flush();
            }
            if (output.json())
            {
                final JsonWriter json = BenchReport.document(Targets.version(), globalOptions);
                for (int i = 0; i < results.size(); i++)
                {
                    BenchReport.job(results.get(i), ran.get(i).group(), ran.get(i).jobOptions(),
                        output.jsonPlus(), json);
                }
                out.println(json.endArray().endObject());
            }
        }
        finally
        {
            output.close(out);
        }
        return interrupted ? 130 : status;
    }

    /**
     * Runs one job with this command's device and {@code engineKind}; {@code top} is told which runner to stop
     * on Ctrl-C. {@code inList}: one engine of several, where posix on an NVMe device runs on a scratch file.
     */
    private BenchResult runOne(final JobSpec job, final EngineKind engineKind, final boolean inList,
        final Progress progress, final PrintWriter err, final BenchCommand top) throws Exception
    {
        if (direct != 0)
        {
            err.println("nvmeq: --direct=" + direct + " has no effect: nvmeq moves data between DMA buffers and the " +
                "device, with no page cache between them");
            err.flush();
        }
        final boolean posixBeside = inList && engineKind == EngineKind.POSIX &&
            !(DeviceUri.parse(device()) instanceof DeviceUri.Posix);
        if (posixBeside && (job.verifyOnly() || job.verify()))
        {
            throw new ParameterException(spec.commandLine(), "--verify with a list of engines: the posix side " +
                "would check a scratch file, not " + device() + "; verify one engine at a time");
        }
        final Path posixPath = posixBeside ? posixFile(job) : null;
        final String device = posixBeside ? "posix:" + posixPath : device();
        final ClientPlacement placement = engine.placement(engine.engineKinds(device()));
        final VerifyState saved = job.verifyOnly() ? loadState(job, err) : null;
        try (BenchTarget target = posixBeside ? new PosixTarget(posixPath, posixFile == null) :
            open(engineKind, placement, job.numjobs(), job.iodepth()))
        {
            final BenchRunner runner = new BenchRunner(target, device, clientName(engineKind, placement),
                Targets.movesData(device), progress);
            top.current = runner;
            if (top.interrupted)
            {
                runner.stop();
            }
            final BenchResult result;
            try
            {
                if (job.verifyOnly())
                {
                    final long region = runner.region(job);
                    final String mismatch = saved == null ? null :
                        saved.mismatch(device, job.nsid(), job.offset(), region, job.bs());
                    if (mismatch != null)
                    {
                        throw new IllegalArgumentException("the verify state " + stateFile(job) + " does not fit " +
                            "this job: " + mismatch);
                    }
                    result = runner.verifyOnly(job, saved == null ? null : saved.sequences());
                }
                else
                {
                    result = runner.run(job);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
            }
            finally
            {
                top.current = null;
            }
            if (job.verify() && job.rw().writes() && verifyStateSave != 0 && result.sequences() != null &&
                result.ioFailure() == null)
            {
                new VerifyState(device, job.nsid(), job.offset(), result.regionBytes(), job.bs(), result.sequences())
                    .save(stateFile(job));
            }
            return result;
        }
    }

    /**
     * The POSIX side's file beside an NVMe device: --posix-file, or a scratch file as large as the job's region
     * (--size, else the emulated namespace), so that both cover the same bytes.
     */
    private Path posixFile(final JobSpec job) throws IOException
    {
        if (posixFile != null)
        {
            return Path.of(posixFile);
        }
        long bytes = job.size() > 0 ? job.offset() + job.size() : 0;
        if (bytes == 0 && DeviceUri.parse(device()) instanceof EmulatedUri emulated)
        {
            bytes = emulated.config().namespaceBytes();
        }
        if (bytes == 0)
        {
            throw new ParameterException(spec.commandLine(), "posix beside " + device() + " needs --size (or " +
                "--posix-file) to know how large a file to compare on");
        }
        final Path path = ReferenceMatrix.scratchFile();
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.setLength(bytes);
        }
        return path;
    }

    /** The verify state a --verify_only job checks against, or null (with a warning) when there is none. */
    private VerifyState loadState(final JobSpec job, final PrintWriter err) throws IOException
    {
        final Path path = stateFile(job);
        if (verifyStateLoad == 0 || !path.toFile().exists())
        {
            err.println("nvmeq: verify_only without a verify state" + (verifyStateLoad == 0 ? "" : " (no " + path +
                ")") + ": each block's offset and CRC are checked, but an older intact version of a block would pass");
            err.flush();
            return null;
        }
        return VerifyState.load(path);
    }

    /** Where a verify job's state goes: --verify_state_file, or one file per device and namespace. */
    Path stateFile(final JobSpec job)
    {
        if (verifyStateFile != null)
        {
            return verifyStateFile;
        }
        String device = device().replaceAll("[^A-Za-z0-9._-]", "_");
        if (device.length() > 100)
        {
            device = device.substring(0, 60) + "-" + Integer.toHexString(device().hashCode());
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "nvmeq-verify-" + device + "-ns" + job.nsid() +
            ".state");
    }

    /** The device URI --filename names, with fio's escaped colons unescaped. */
    String device()
    {
        return filename.replace("\\:", ":");
    }

    /** Opens the target; an engine that cannot drive the device is a usage error. */
    BenchTarget open(final EngineKind engineKind, final ClientPlacement placement, final int jobs, final int depth)
        throws IOException
    {
        try
        {
            return Targets.open(engineKind, device(), placement, jobs, depth);
        }
        catch (final BadDeviceUriException ex)
        {
            throw ex;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    static int exitStatus(final BenchResult result, final PrintWriter err)
    {
        if (result.ioFailure() != null)
        {
            err.println("nvmeq: " + result.ioFailure());
            err.flush();
            return ExitCodes.FAILED;
        }
        if (result.verifyFailure() != null)
        {
            err.println("nvmeq: " + result.verifyFailure());
            err.flush();
            return ExitCodes.MISMATCH;
        }
        return ExitCodes.OK;
    }

    /** The job the options describe. @throws ParameterException naming the wrong option */
    JobSpec jobSpec()
    {
        try
        {
            final boolean verifies = verify != null && !"0".equals(verify);
            if (verifies && !"crc32c".equalsIgnoreCase(verify))
            {
                throw new IllegalArgumentException("--verify supports crc32c, not '" + verify + "'");
            }
            if (bs > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("--bs " + bs + " is too large");
            }
            final RwMode mode = RwMode.parse(rw);
            final int mix = rwmixwrite != null ? 100 - rwmixwrite : rwmixread;
            return new JobSpec(name != null ? name : mode.fioName(), mode, mix, (int)bs, iodepth, numjobs,
                timing.runtimeNs, timing.rampNs, offset, size, ioSize, timeBased, rateIops, fua, verifies,
                verifyOnly, DeviceOption.namespace(spec, device(),
                spec.commandLine().getParseResult().hasMatchedOption("--namespace-id") ? nsid : null), randseed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    EngineKind engineKind()
    {
        return engine.engineKind(device());
    }

    ClientPlacement placement(final EngineKind engineKind)
    {
        return engine.placement(engineKind);
    }

    static String clientName(final EngineKind engineKind, final ClientPlacement placement)
    {
        return switch (engineKind)
        {
            case ACTORS -> placement.cliName();
            case SYNC -> "plain thread per thread queue";
            case RAW -> "thread per queue pair";
            case POSIX -> "thread per outstanding I/O";
        };
    }

    boolean matched(final String option)
    {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    CommandLine commandLine()
    {
        return spec.commandLine();
    }

    /** The options given on the command line, as arguments again (for the job files' jobs to start from). */
    private List<String> commandLineArguments()
    {
        final List<String> args = new ArrayList<>();
        for (final OptionSpec option : spec.commandLine().getParseResult().matchedOptions())
        {
            final List<String> values = option.originalStringValues();
            if (values.isEmpty())
            {
                args.add(option.longestName());
            }
            for (final String value : values)
            {
                args.add(option.longestName() + "=" + value);
            }
        }
        return args;
    }

    /** An option's fio name: its first long name without the dashes. */
    private static String fioName(final OptionSpec option)
    {
        for (final String name : option.names())
        {
            if (name.startsWith("--"))
            {
                return name.substring(2);
            }
        }
        return option.longestName().replaceFirst("^-+", "");
    }

    /** fio's {@code job options}: the options given, by fio's name, with the last value given. */
    private static Map<String, String> givenOptions(final List<OptionSpec> matched)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (final OptionSpec option : matched)
        {
            if (REPORT_OPTIONS.contains(fioName(option)))
            {
                continue;
            }
            final List<String> values = option.originalStringValues();
            options.put(fioName(option), values.isEmpty() ? "1" :
                values.get(values.size() - 1));
        }
        return options;
    }
}
