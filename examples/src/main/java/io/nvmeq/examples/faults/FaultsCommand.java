package io.nvmeq.examples.faults;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.examples.bench.OutputOptions;
import io.nvmeq.examples.cli.DeviceOption;
import io.nvmeq.examples.io.NumberConverters;
import io.nvmeq.hw.device.DeviceUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code nvmeq faults}: a verified workload while queue-pair actors are killed and the device injects errors. */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Fault drill: a verified random read/write workload through queue-pair actors while a random queue-pair "
            + "actor is crashed every --kill-interval and the emulated device fails commands at --fault-rate.",
        "Each queue pair gets a client actor on its own thread that owns every N-th block (one logical block per "
            + "I/O, never two requests on one block). Every block written carries its offset, a write sequence and "
            + "a CRC-32C. A read must find the last acknowledged write, or one of the writes answered with an error "
            + "since (those may or may not have reached the medium). After the run every block is read back once.",
        "With --device remote://HOST:PORT/SERIAL/NSID the fault is a restart of the server's cluster node every "
            + "--kill-interval (once the client has found it again; the server must run nvmeq serve --allow-restarts), "
            + "and --queue-pairs clients share the client's session.",
        "Prints requests sent and answered, errors by type, kills and restarts, corrupt blocks.",
        "Exit status: 0 every request answered exactly once and no block corrupt or lost, 1 a request unanswered "
            + "or answered twice, a block unreadable, or the drill could not run, 2 bad options, 3 a corrupt block.",
        ""
    })
public final class FaultsCommand implements Callable<Integer>
{
    private static final String DEFAULT_EMULATOR = "emu:memory?size=64m";

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", paramLabel = "URI",
        description = "The device (default: " + DEFAULT_EMULATOR + " with faults=random:RATE:SEED from --fault-rate "
            + "and --seed). With --fault-rate given too, its faults key is appended to this URI.")
    String device;

    @Option(names = "--fault-rate", paramLabel = "RATE", defaultValue = "0.001",
        description = "Probability that the emulated device fails an I/O command with Internal Error; 0 = none "
            + "(default: ${DEFAULT-VALUE}).")
    double faultRate;

    @Option(names = "--dnr",
        description = "The injected errors carry Do Not Retry: the driver answers them as errors. Without it they "
            + "are retryable, and the engine's retries hide most of them.")
    boolean dnr;

    @Option(names = "--queue-pairs", paramLabel = "N", defaultValue = "2",
        description = "Queue pairs, each with its own client actor (default: ${DEFAULT-VALUE}).")
    int queuePairs;

    @Option(names = "--iodepth", paramLabel = "N", defaultValue = "16",
        description = "Requests each client keeps outstanding (default: ${DEFAULT-VALUE}).")
    int iodepth;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "4m", converter = NumberConverters.Size.class,
        description = "Bytes covered from offset 0, laid out before the run (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--runtime", paramLabel = "TIME", defaultValue = "5s", converter = NumberConverters.Duration.class,
        description = "How long the workload runs: 500ms, 5s, 1m (default: 5s).")
    long runtimeNs;

    @Option(names = "--kill-interval", paramLabel = "TIME", defaultValue = "200ms", converter = NumberConverters.Duration.class,
        description = "Time between two kills of a random queue-pair actor; 0 = none (default: 200ms).")
    long killIntervalNs;

    @Option(names = "--rwmixread", paramLabel = "PCT", defaultValue = "50",
        description = "Percentage of reads in the workload (default: ${DEFAULT-VALUE}).")
    int rwmixread;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
        description = "Seeds the workload, the kills and the device's faults (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--phase-timeout", paramLabel = "TIME", defaultValue = "2m", converter = NumberConverters.Duration.class,
        description = "Bound on laying out, and on draining plus reading back (twice this); what is still "
            + "outstanding then counts as unanswered. It must outlast the driver's own escalation of a lost "
            + "completion (30 s I/O timeout, Abort, a second deadline, reset) (default: 2m).")
    long phaseTimeoutNs;

    @Option(names = {"-n", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "Namespace (default: ${DEFAULT-VALUE}).")
    int nsid;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception
    {
        output.validate();
        final String uri = deviceUri();
        DeviceUri.parse(uri);
        final DrillSpec drillSpec;
        try
        {
            drillSpec = new DrillSpec(nsid, queuePairs, iodepth, size, runtimeNs, killIntervalNs, rwmixread, seed,
                Duration.ofNanos(phaseTimeoutNs));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final FaultsResult result;
        try
        {
            result = RemoteUri.isRemote(uri) ? new RemoteFaultDrill(uri, drillSpec).run() : new FaultDrill(uri, drillSpec).run();
        }
        catch (final FaultDrill.OptionsException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = output.open(spec.commandLine().getOut());
        if (output.text())
        {
            FaultsReport.text(result, out);
        }
        if (output.json())
        {
            out.println(FaultsReport.json(result));
        }
        output.close(out);
        final String verdict = result.verdict();
        if (verdict != null)
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.println("nvmeq: faults: " + verdict);
            err.flush();
        }
        return result.exitStatus();
    }

    /** The device with the faults of --fault-rate: appended to --device when both are given. */
    String deviceUri()
    {
        if (!(faultRate >= 0 && faultRate <= 1))
        {
            throw new ParameterException(spec.commandLine(), "--fault-rate must be 0..1, not " + faultRate);
        }
        final boolean rateGiven = spec.commandLine().getParseResult().hasMatchedOption("--fault-rate");
        final String base = device != null ? device : DEFAULT_EMULATOR;
        if (dnr && faultRate == 0)
        {
            throw new ParameterException(spec.commandLine(), "--dnr needs a --fault-rate above 0");
        }
        if ((device != null && !rateGiven) || faultRate == 0)
        {
            return base;
        }
        DeviceOption.requireEmulated(spec, base, "fault injection (--fault-rate)");
        return base + (base.contains("?") ? "&" : "?") + "faults=random" + (dnr ? "-dnr:" : ":") +
            BigDecimal.valueOf(faultRate).toPlainString() + ":" + seed;
    }
}
