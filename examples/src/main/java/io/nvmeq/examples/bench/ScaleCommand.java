package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.examples.cli.JsonWriter;
import io.nvmeq.examples.io.NumberConverters;
import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeq scale}: the same job on 1, 2, 4, ... queue pairs (one job each), on a CPU-bound device (moves no
 * data, so each I/O costs only CPU) and on a latency-bound one (each command takes its modelled service time and
 * a queue pair keeps at most {@code iodepth} outstanding), printed as a table of I/Os per second beside the
 * ideal (linear) line and drawn as an SVG chart.
 */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    defaultValueProvider = ScaleCommand.Defaults.class,
    description = {
        "Run one job on 1, 2, 4, ... queue pairs, on a CPU-bound and on a latency-bound device model; print I/Os per "
            + "second against queue pairs beside the ideal line, and write the chart as SVG.",
        ""
    })
public final class ScaleCommand implements Callable<Integer>
{
    /** The emulator that moves no data: an I/O costs the driver's, the actors' and the emulator's CPU time only. */
    static final String CPU_BOUND_DEVICE = "emu:null?size=1g";
    /** The emulator's latency model: 80 us per read, 20 us per write, 64 internal channels. */
    static final String LATENCY_BOUND_DEVICE = "emu:null?size=1g&latency=read:80us,write:20us&channels=64";

    @Spec
    private CommandSpec spec;

    @Option(names = "--cpu-device", paramLabel = "URI", defaultValue = CPU_BOUND_DEVICE,
        description = "The CPU-bound device (default: ${DEFAULT-VALUE}).")
    String cpuDevice;

    @Option(names = "--latency-device", paramLabel = "URI", defaultValue = LATENCY_BOUND_DEVICE,
        description = "The latency-bound device (default: ${DEFAULT-VALUE}); 'none' to skip it.")
    String latencyDevice;

    @Option(names = "--max-queue-pairs", paramLabel = "N",
        description = "Largest number of queue pairs; runs 1, 2, 4, ... up to it (default: twice the CPUs).")
    Integer maxQueuePairs;

    @Option(names = "--rw", paramLabel = "MODE", defaultValue = "randread",
        description = "The job's rw (default: ${DEFAULT-VALUE}).")
    String rw;

    @Option(names = "--bs", paramLabel = "BYTES", defaultValue = "4k", converter = NumberConverters.Size.class,
        description = "Bytes per I/O (default: ${DEFAULT-VALUE}).")
    long bs;

    @Option(names = "--iodepth", paramLabel = "N", defaultValue = "4",
        description = "Outstanding I/Os per queue pair: the per-queue depth limit (default: ${DEFAULT-VALUE}).")
    int iodepth;

    @Mixin
    TimingOptions timing;

    @Mixin
    EngineOptions engine;

    @Option(names = "--chart", paramLabel = "FILE", defaultValue = "nvmeq-scale.svg",
        description = "Where the SVG chart goes (default: ${DEFAULT-VALUE}); 'none' for no chart.")
    String chart;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
        description = "Runs per point; the table and chart show their median and the chart their spread (min and "
            + "max) (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Mixin
    OutputOptions output;

    @Mixin
    ProgressOptions eta;

    /** This command's defaults for the shared option blocks. */
    public static final class Defaults implements IDefaultValueProvider
    {
        @Override
        public String defaultValue(final ArgSpec argSpec)
        {
            if (argSpec instanceof OptionSpec option)
            {
                return switch (option.longestName())
                {
                    case "--runtime" -> "2s";
                    case "--ramp_time" -> "500ms";
                    default -> null;
                };
            }
            return null;
        }
    }

    /**
     * One point: the median of its runs' I/Os per second (and the run that gave it), their spread, and the ideal
     * (the one-queue-pair median times the queue pairs).
     */
    record Point(int queuePairs, double iops, double minIops, double maxIops, double ideal, BenchResult result,
        double[] runs)
    {
    }

    /** One device model's run, or why it was skipped. */
    record Model(String name, String device, String meaning, List<Point> points, String skipped)
    {
    }

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        output.validate();
        final Progress progress = eta.progress(err);
        final EngineKind engineKind;
        final ClientPlacement placement;
        final JobSpec base;
        final int cpus = Runtime.getRuntime().availableProcessors();
        final int max = maxQueuePairs != null ? maxQueuePairs : 2 * cpus;
        try
        {
            engineKind = engine.engine == null ? EngineKind.ACTORS : EngineKind.parse(engine.engine);
            if (engineKind == EngineKind.POSIX)
            {
                throw new IllegalArgumentException("--engine must be actors or raw: scale measures nvmeq's queue pairs");
            }
            placement = ClientPlacement.parse(engine.client);
            if (repeat < 1 || repeat > 100)
            {
                throw new IllegalArgumentException("--repeat must be 1..100, not " + repeat);
            }
            if (bs > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("--bs " + bs + " is too large");
            }
            if (max < 1 || max > JobSpec.MAX_NUMJOBS)
            {
                throw new IllegalArgumentException("--max-queue-pairs must be 1.." + JobSpec.MAX_NUMJOBS + ", not " + max);
            }
            final RwMode mode = RwMode.parse(rw);
            base = new JobSpec(mode.fioName(), mode, 50, (int)bs, iodepth, 1, timing.runtimeNs, timing.rampNs, 0, 0, 0,
                true, 0, false, false, false, 1, 20170713L);
            DeviceUri.parse(cpuDevice);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final List<Integer> counts = new ArrayList<>();
        for (int n = 1; n <= max; n *= 2)
        {
            counts.add(n);
        }
        final List<Model> models = new ArrayList<>();
        models.add(measure("cpu-bound", cpuDevice, "moves no data: every I/O costs CPU time only", engineKind,
            placement, base, counts, progress));
        if (!"none".equals(latencyDevice))
        {
            final String meaning = "each command takes its modelled service time; at most " + iodepth +
                " outstanding per queue pair";
            String unusable = null;
            try
            {
                DeviceUri.parse(latencyDevice);
            }
            catch (final BadDeviceUriException ex)
            {
                unusable = "this build's emulator does not take the URI: " + ex.getMessage().lines().findFirst()
                    .orElse("");
            }
            models.add(unusable == null ?
                measure("latency-bound", latencyDevice, meaning, engineKind, placement, base, counts, progress) :
                new Model("latency-bound", latencyDevice, meaning, List.of(), unusable));
        }
        if (!"none".equals(chart))
        {
            final List<ScaleChart.Series> panels = new ArrayList<>();
            for (final Model model : models)
            {
                if (model.skipped() == null)
                {
                    panels.add(new ScaleChart.Series(model.name(), model.device(),
                        model.points()));
                }
            }
            Files.writeString(Path.of(chart), ScaleChart.svg(String.format(Locale.ROOT,
                "nvmeq scale: %s bs=%d iodepth=%d per queue pair, engine %s, %d CPUs", base.rw().fioName(),
                base.bs(), base.iodepth(), engineKind.cliName(), cpus), cpus, repeat, panels));
        }
        final PrintWriter out = output.open(spec.commandLine().getOut());
        if (output.text())
        {
            text(models, base, engineKind, placement, cpus, out);
        }
        if (output.json())
        {
            out.println(json(models, base, engineKind, placement, cpus));
        }
        output.close(out);
        for (final Model model : models)
        {
            for (final Point point : model.points())
            {
                final int status = BenchCommand.exitStatus(point.result(), err);
                if (status != ExitCodes.OK)
                {
                    return status;
                }
            }
        }
        return ExitCodes.OK;
    }

    private Model measure(final String name, final String device, final String meaning, final EngineKind engineKind,
        final ClientPlacement placement, final JobSpec base, final List<Integer> counts, final Progress progress)
        throws Exception
    {
        final List<Point> points = new ArrayList<>();
        double perQueuePair = 0;
        // Unmeasured: one queue pair, once, so that the JIT has compiled the path before the first point counts
        // (the ideal line is drawn from that point).
        try (BenchTarget target = Targets.open(engineKind, device, placement, 1, base.iodepth()))
        {
            new BenchRunner(target, device, "", Targets.movesData(device), Progress.NONE)
                .run(base.withRw(base.rw(), "warm-up").timed(Math.min(base.runtimeNs(), TimeUnit.SECONDS.toNanos(1)),
                    0), false);
        }
        for (final int n : counts)
        {
            final JobSpec job = base.withNumjobs(n);
            try (BenchTarget target = Targets.open(engineKind, device, placement, n, job.iodepth()))
            {
                final BenchRunner runner = new BenchRunner(target, device,
                    BenchCommand.clientName(engineKind, placement), Targets.movesData(device), progress);
                final List<BenchResult> results = new ArrayList<>();
                try
                {
                    for (int r = 0; r < repeat; r++)
                    {
                        final BenchResult result = runner.run(job, false);
                        results.add(result);
                        if (!result.ok())
                        {
                            break;
                        }
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
                }
                results.sort(Comparator.comparingDouble(ScaleCommand::iops));
                final double[] runs = results.stream().mapToDouble(ScaleCommand::iops).toArray();
                final BenchResult median = results.get((results.size() - 1) / 2);
                final double iops = iops(median);
                if (n == 1)
                {
                    perQueuePair = iops;
                }
                points.add(new Point(n, iops, runs[0], runs[runs.length - 1], perQueuePair * n, median, runs));
                if (results.stream().anyMatch(result -> !result.ok()))
                {
                    for (final BenchResult result : results)
                    {
                        if (!result.ok())
                        {
                            points.set(points.size() - 1, new Point(n, iops, runs[0], runs[runs.length - 1],
                                perQueuePair * n, result, runs));
                        }
                    }
                    break;
                }
            }
        }
        return new Model(name, device, meaning, points, null);
    }

    private static double iops(final BenchResult result)
    {
        return result.read().iops() + result.write().iops();
    }

    private void text(final List<Model> models, final JobSpec base, final EngineKind engineKind,
        final ClientPlacement placement, final int cpus, final PrintWriter out)
    {
        out.printf(Locale.ROOT, "nvmeq scale: rw=%s bs=%d iodepth=%d per queue pair (one job each), ramp %d ms + " +
                "run %d ms per point, engine %s (%s), %d CPUs%n", base.rw().fioName(), base.bs(), base.iodepth(),
            TimeUnit.NANOSECONDS.toMillis(base.rampNs()), TimeUnit.NANOSECONDS.toMillis(base.runtimeNs()),
            engineKind.cliName(), BenchCommand.clientName(engineKind, placement), cpus);
        for (final Model model : models)
        {
            out.printf("  %-14s: %s (%s)%s%n", model.name(), model.device(), model.meaning(),
                model.skipped() == null ? "" : "\n                  SKIPPED: " + model.skipped());
        }
        out.println();
        out.printf("%11s", "queue pairs");
        for (final Model model : models)
        {
            if (model.skipped() == null)
            {
                out.printf("  %14s %15s %9s %7s", model.name() + " IOPS", "min-max", "ideal", "scaling");
            }
        }
        out.println();
        final int rows = models.stream().mapToInt(m -> m.points().size()).max().orElse(0);
        for (int row = 0; row < rows; row++)
        {
            int queuePairs = 0;
            final StringBuilder line = new StringBuilder();
            for (final Model model : models)
            {
                if (model.skipped() != null)
                {
                    continue;
                }
                if (row < model.points().size())
                {
                    final Point point = model.points().get(row);
                    queuePairs = point.queuePairs();
                    line.append(String.format(Locale.ROOT, "  %14s %15s %9s %6.2fx", FioFormat.count(point.iops()),
                        FioFormat.count(point.minIops()) + "-" + FioFormat.count(point.maxIops()),
                        FioFormat.count(point.ideal()), point.ideal() == 0 ? 0 : point.iops() / point.ideal() *
                            point.queuePairs()));
                }
                else
                {
                    line.append(String.format("  %14s %15s %9s %7s", "-", "-", "-", "-"));
                }
            }
            out.printf("%11d%s%n", queuePairs, line);
        }
        out.println();
        out.println("Each device model is warmed up with one unmeasured 1-queue-pair run (1 s at most) first; every point then " +
            "opens the device afresh with that many queue pairs.");
        out.printf("Each point: the median of %d run(s) (min-max: their spread).%n", repeat);
        out.println("ideal = the 1-queue-pair rate x queue pairs; scaling = measured / 1-queue-pair rate (ideal: " +
            "equal to the queue pairs).");
        if (!"none".equals(chart))
        {
            out.println("chart: " + chart);
        }
    }

    private String json(final List<Model> models, final JobSpec base, final EngineKind engineKind,
        final ClientPlacement placement, final int cpus)
    {
        final JsonWriter json = new JsonWriter().beginObject()
            .field("nvmeq version", Targets.version())
            .field("timestamp", System.currentTimeMillis() / 1000);
        json.name("scale").beginObject()
            .field("rw", base.rw().fioName())
            .field("bs", base.bs())
            .field("iodepth", base.iodepth())
            .field("ramp_time_ms", TimeUnit.NANOSECONDS.toMillis(base.rampNs()))
            .field("runtime_ms", TimeUnit.NANOSECONDS.toMillis(base.runtimeNs()))
            .field("engine", engineKind.cliName())
            .field("client", BenchCommand.clientName(engineKind, placement))
            .field("cpus", cpus)
            .field("chart", chart)
            .name("models").beginArray();
        for (final Model model : models)
        {
            json.beginObject()
                .field("name", model.name())
                .field("device", model.device());
            if (model.skipped() != null)
            {
                json.field("skipped", model.skipped());
            }
            json.name("points").beginArray();
            for (final Point point : model.points())
            {
                json.beginObject()
                    .field("queue_pairs", point.queuePairs())
                    .field("iops", point.iops())
                    .field("ideal_iops", point.ideal())
                    .field("min_iops", point.minIops())
                    .field("max_iops", point.maxIops());
                json.name("runs_iops").beginArray();
                for (final double run : point.runs())
                {
                    json.value(run);
                }
                json.endArray();
                json.name("job");
                BenchReport.job(point.result(), json);
                json.endObject();
            }
            json.endArray().endObject();
        }
        json.endArray().endObject();
        return json.endObject().toString();
    }
}
