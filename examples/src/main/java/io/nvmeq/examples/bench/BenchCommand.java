package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.nvmeq.examples.cli.DeviceOption;
import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.hw.device.DeviceUri;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code nvmeq bench}: a fio-style job on the actor path, the raw engine or the POSIX baseline. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run a fio-style job: fio's option names and meanings, output like fio's (or its JSON).",
        "The same job runs on the actor path (--engine actors, the default), on the engine alone (raw), or on a "
            + "file through the kernel (posix: FileChannel pread/pwrite, iodepth threads, like fio's psync with "
            + "numjobs=iodepth).",
        "--seed-matrix runs the seed's benchmark (4 KiB rand{read,write,rw} at iodepth 1 and 4) on nvmeq and on "
            + "POSIX over the same data and prints one table with the ratio per cell.",
        "Exit status: 0 done, 1 an I/O or the device failed, 2 bad options, 3 --verify found a bad block.",
        ""
    })
public final class BenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "Job name in the report (default: the rw mode).")
    String name;

    @Option(names = "--rw", paramLabel = "MODE", defaultValue = "read",
        description = "read, write, randread, randwrite or randrw (default: ${DEFAULT-VALUE}).")
    String rw;

    @Option(names = "--rwmixread", paramLabel = "PCT", defaultValue = "50",
        description = "Percentage of reads in randrw (default: ${DEFAULT-VALUE}).")
    int rwmixread;

    @Option(names = "--bs", paramLabel = "BYTES", defaultValue = "4k", converter = SizeConverter.class,
        description = "Bytes per I/O, a multiple of the logical block size (default: ${DEFAULT-VALUE}).")
    long bs;

    @Option(names = "--iodepth", paramLabel = "N", defaultValue = "1",
        description = "I/Os each job keeps outstanding (default: ${DEFAULT-VALUE}).")
    int iodepth;

    @Option(names = {"--numjobs", "--queue-pairs"}, paramLabel = "N", defaultValue = "1",
        description = "Jobs, each on its own queue pair (posix: its own iodepth threads) (default: ${DEFAULT-VALUE}).")
    int numjobs;

    @Option(names = "--runtime", paramLabel = "TIME", defaultValue = "5s", converter = FioTime.class,
        description = "Measured time after the ramp: 500ms, 5s, 1m; a bare number is seconds (default: 5s).")
    long runtimeNs;

    @Option(names = "--ramp_time", paramLabel = "TIME", defaultValue = "1s", converter = FioTime.class,
        description = "Time run before measuring starts (default: 1s).")
    long rampNs;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
        description = "Bytes of the namespace or file the job covers, from offset 0 (default: all of it; "
            + "64m with --seed-matrix; required for a new posix file).")
    long size;

    @Option(names = "--fua", description = "Writes with Force Unit Access (posix: O_DSYNC).")
    boolean fua;

    @Option(names = "--verify", paramLabel = "crc32c",
        description = "crc32c: every block written carries its offset, a write sequence and a CRC-32C; every read "
            + "is checked and a mismatch names the block (exit status 3).")
    String verify;

    @Option(names = "--verify_only",
        description = "No workload: read the region once and check the blocks an earlier --verify job left.")
    boolean verifyOnly;

    @Option(names = "--device", paramLabel = "URI", defaultValue = DeviceUri.DEFAULT,
        description = {
            "emu:memory|null|file:/abs/path[?params], nvme://DDDD:BB:DD.F/N, or posix:/abs/file for the baseline "
                + "(default: ${DEFAULT-VALUE})."
        })
    String device;

    @Option(names = {"--engine", "--ioengine"}, paramLabel = "ENGINE",
        description = "actors (queue-pair actors), raw (the engine, a pinned thread per queue pair) or posix "
            + "(alias psync) (default: posix for posix: devices, else actors).")
    String engine;

    @Option(names = "--client", paramLabel = "WHERE", defaultValue = "colocated",
        description = "Actor path only: colocated (client actors on the queue pairs' own CPU dispatchers) or "
            + "facade (requests from outside through the Nvmeq facade) (default: ${DEFAULT-VALUE}).")
    String client;

    @Option(names = {"-n", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "Namespace (default: ${DEFAULT-VALUE}).")
    int nsid;

    @Option(names = "--randseed", paramLabel = "SEED", defaultValue = "20170713",
        description = "Seeds offsets, the read/write mix and the data (default: ${DEFAULT-VALUE}).")
    long randseed;

    @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "normal",
        description = "normal, json (fio's field names) or both, normal,json: the text, then the JSON of the same "
            + "run on one line (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--eta", paramLabel = "WHEN", defaultValue = "auto",
        description = "Live progress line on stderr: auto (on a terminal), always or never (default: ${DEFAULT-VALUE}).")
    String eta;

    @Option(names = "--seed-matrix",
        description = "The seed's benchmark on nvmeq and on POSIX, one table with the ratio per cell.")
    boolean seedMatrix;

    @Option(names = "--posix-file", paramLabel = "PATH",
        description = "--seed-matrix: the POSIX side's file (default: a scratch file in /dev/shm, deleted after).")
    String posixFile;

    @Option(names = "--seed-timing",
        description = "--seed-matrix: the seed's own timing, ramp 30 s and run 30 s per cell (default: 1 s + 2 s).")
    boolean seedTiming;

    @Override
    public Integer call() throws Exception
    {
        final boolean json = outputFormat();
        final boolean text = !json || outputFormat.startsWith("normal");
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Progress progress = progress(err);
        if (seedMatrix)
        {
            return new SeedMatrix(this, progress).run(out, err, text, json);
        }
        final JobSpec job = jobSpec();
        final EngineKind engineKind = engineKind();
        final ClientPlacement placement = placement(engineKind);
        try (BenchTarget target = open(engineKind, placement, job.numjobs(), job.iodepth()))
        {
            final BenchRunner runner = new BenchRunner(target, device, clientName(engineKind, placement),
                Targets.movesData(device), progress);
            final BenchResult result;
            try
            {
                result = runner.run(job);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
            }
            if (text)
            {
                BenchReport.text(result, out);
            }
            if (json)
            {
                out.println(BenchReport.json(result, Targets.version()));
                out.flush();
            }
            return exitStatus(result, err);
        }
    }

    /** Opens the target; an engine that cannot drive the device is a usage error. */
    BenchTarget open(final EngineKind engineKind, final ClientPlacement placement, final int jobs, final int depth)
        throws java.io.IOException
    {
        try
        {
            return Targets.open(engineKind, device, placement, jobs, depth);
        }
        catch (final io.nvmeq.hw.device.BadDeviceUriException ex)
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
            if (verify != null && !"crc32c".equalsIgnoreCase(verify))
            {
                throw new IllegalArgumentException("--verify supports crc32c, not '" + verify + "'");
            }
            if (bs > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("--bs " + bs + " is too large");
            }
            final RwMode mode = RwMode.parse(rw);
            return new JobSpec(name != null ? name : mode.fioName(), mode, rwmixread, (int)bs, iodepth, numjobs,
                runtimeNs, rampNs, size, fua, verify != null, verifyOnly, DeviceOption.namespace(spec, device,
                spec.commandLine().getParseResult().hasMatchedOption("--namespace-id") ? nsid : null), randseed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    EngineKind engineKind()
    {
        try
        {
            return engine != null ? EngineKind.parse(engine) : Targets.defaultEngine(device);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    ClientPlacement placement(final EngineKind engineKind)
    {
        try
        {
            final ClientPlacement placement = ClientPlacement.parse(client);
            if (engineKind != EngineKind.ACTORS && spec.commandLine().getParseResult().hasMatchedOption("--client"))
            {
                throw new IllegalArgumentException("--client applies to --engine actors only");
            }
            return placement;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    static String clientName(final EngineKind engineKind, final ClientPlacement placement)
    {
        return switch (engineKind)
        {
            case ACTORS -> placement.cliName();
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

    private boolean outputFormat()
    {
        return switch (outputFormat)
        {
            case "normal" -> false;
            case "json", "normal,json", "json,normal" -> true;
            default -> throw new ParameterException(spec.commandLine(),
                "--output-format must be normal, json or normal,json, not '" + outputFormat + "'");
        };
    }

    private Progress progress(final PrintWriter err)
    {
        final boolean terminal = System.console() != null;
        return switch (eta)
        {
            case "auto" -> terminal ? new Progress(err, true) : Progress.NONE;
            case "always" -> new Progress(err, terminal);
            case "never" -> Progress.NONE;
            default -> throw new ParameterException(spec.commandLine(),
                "--eta must be auto, always or never, not '" + eta + "'");
        };
    }
}
