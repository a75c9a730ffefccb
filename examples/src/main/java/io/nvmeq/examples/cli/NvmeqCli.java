package io.nvmeq.examples.cli;

import io.nvmeq.examples.bench.BenchCommand;
import io.nvmeq.examples.bench.ScaleCommand;
import io.nvmeq.examples.faults.FaultsCommand;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
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
            + "nvme://0000:44:00.0/1 for a PCI device bound to vfio-pci.",
        ""
    },
    subcommands = {
        IdentifyCommand.class,
        WriteCommand.class,
        ReadCommand.class,
        QuickStartCommand.class,
        BenchCommand.class,
        ScaleCommand.class,
        FaultsCommand.class,
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

    /** The command line with nvmeq's error reporting: what {@link #main} runs, and what tests run in-process. */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new NvmeqCli());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(new FailureReporter());
        // fio's rule for its own options: a repeated option is not an error, the last one wins.
        List.of("bench", "scale", "faults").forEach(name -> commandLine.getSubcommands().get(name).setOverwrittenOptionsAllowed(true));
        return commandLine;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing command: identify, write, read, quickstart, bench, scale, faults or setup");
    }
}
