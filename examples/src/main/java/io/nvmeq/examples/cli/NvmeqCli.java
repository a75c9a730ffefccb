package io.nvmeq.examples.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;

import io.nvmeq.examples.bench.BenchCommand;
import io.nvmeq.examples.bench.ScaleCommand;
import io.nvmeq.examples.faults.FaultsCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeq}: the command line of the nvmeq userspace NVMe driver. Subcommands talk to a device through the
 * {@link io.nvmeq.actors.Nvmeq} facade, exactly as an application would.
 */
@Command(
    name = "nvmeq",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "A userspace NVMe driver for the JVM, built as Akka Typed actors.",
        "Devices are named by URI: emu:memory, emu:null or emu:file:/abs/path for the emulated controller "
            + "(options after '?': size, bs, namespaces, queues, entries, mdts, serial, model, mappings), "
            + "nvme://0000:44:00.0/1 for a PCI device bound to vfio-pci (namespace 1); give it as the first "
            + "argument of a command or with --device; remote://HOST:PORT/SERIAL/NSID for a namespace that "
            + "'nvmeq serve' serves elsewhere.",
        "Data and reports go to stdout; status lines, warnings and errors to stderr.",
        ""
    },
    subcommands = {
        IdentifyCommand.class,
        IdCtrlCommand.class,
        IdNsCommand.class,
        WriteCommand.class,
        ReadCommand.class,
        QuickStartCommand.class,
        BenchCommand.class,
        ScaleCommand.class,
        FaultsCommand.class,
        ServeCommand.class,
        SetupCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Exit status: 0 done, 1 the device or the system failed an operation (one line on stderr says why), "
            + "2 bad command line, 3 data read back differs from what was written."
    })
public final class NvmeqCli implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Option(
        names = {"-q", "--quiet"},
        scope = CommandLine.ScopeType.INHERIT,
        description = "Log errors only (default: warnings and errors).")
    private boolean quiet;

    @Option(
        names = {"-v", "--verbose"},
        scope = CommandLine.ScopeType.INHERIT,
        description = "Log more: -v what nvmeq does (bring-up, queue pairs), -vv its debug detail, -vvv Akka's too.")
    private boolean[] verbose = new boolean[0];

    /** Where raw data goes ({@code read -d -}) and comes from ({@code write -d -}). */
    private InputStream stdin = System.in;
    private OutputStream stdout = System.out;

    /** The command line with nvmeq's error reporting: what {@link #main} runs, and what tests run in-process. */
    public static CommandLine commandLine()
    {
        return commandLine(System.in, System.out);
    }

    /**
     * As {@link #commandLine()}, with the byte streams that {@code -d -} reads and writes: raw data goes there,
     * not through {@link CommandLine#getOut()}, which carries text.
     */
    public static CommandLine commandLine(final InputStream stdin, final OutputStream stdout)
    {
        final NvmeqCli cli = new NvmeqCli();
        cli.stdin = stdin;
        cli.stdout = stdout;
        final CommandLine commandLine = new CommandLine(cli);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(new FailureReporter());
        commandLine.setParameterExceptionHandler(new UsageReporter());
        commandLine.setExecutionStrategy(parseResult ->
        {
            Verbosity.apply(cli.quiet, cli.verbose.length);
            return new RunLast().execute(parseResult);
        });
        // fio's rule for its own options: a repeated option is not an error, the last one wins.
        List.of("bench", "scale", "faults").forEach(name -> commandLine.getSubcommands().get(name).setOverwrittenOptionsAllowed(true));
        return commandLine;
    }

    InputStream stdin()
    {
        return stdin;
    }

    OutputStream stdout()
    {
        return stdout;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing command: identify, id-ctrl, id-ns, write, read, quickstart, bench, scale, faults, serve or setup");
    }

    /**
     * A bad command line: {@code nvmeq: <what is wrong>} and where to read more, on stderr, and
     * {@link ExitCodes#USAGE}, in every command. The usage text itself is left to {@code --help}, so that the
     * reason stays the last thing on the screen.
     */
    static final class UsageReporter implements IParameterExceptionHandler
    {
        @Override
        public int handleParseException(final ParameterException ex, final String[] args)
        {
            final CommandLine commandLine = ex.getCommandLine();
            final PrintWriter err = commandLine.getErr();
            err.println("nvmeq: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        }
    }
}
