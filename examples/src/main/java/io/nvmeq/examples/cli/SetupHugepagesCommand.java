package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

import io.nvmeq.hw.vfio.NvmeSetup.Action;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nvmeq setup hugepages N}: reserves the 2 MiB pages nvmeq's DMA memory comes from. */
@Command(
    name = "hugepages",
    mixinStandardHelpOptions = true,
    description = {
        "Reserve N 2 MiB hugepages (/proc/sys/vm/nr_hugepages) for DMA memory; 0 releases them. The kernel may "
            + "reserve fewer when memory is fragmented: the number it reserved is read back and printed.",
        "Needs root; nvmeq also needs hugetlbfs mounted (mount -t hugetlbfs none /dev/hugepages)."
    })
final class SetupHugepagesCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private SysfsRootOption sysfsRoot;

    @Option(names = "--dry-run", description = "Print the write that would be done; change nothing.")
    private boolean dryRun;

    @Parameters(paramLabel = "N", description = "How many 2 MiB pages to reserve in all (not in addition).")
    private int pages;

    @Override
    public Integer call()
    {
        if (pages < 0)
        {
            throw new ParameterException(spec.commandLine(), "N must be 0 or more hugepages, not " + pages);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final Action action;
        try
        {
            action = sysfsRoot.setup().reserveHugepages(pages, dryRun).get(0);
        }
        catch (final UncheckedIOException ex)
        {
            throw new CliFailure(ex.getMessage() + ": " + FailureReporter.describe(ex.getCause()));
        }
        out.println((dryRun ? "would run: " : "ran: ") + action.command());
        if (!dryRun)
        {
            final int reserved = readBack(action);
            out.println(reserved + " hugepages of 2 MiB reserved (" + (reserved * 2L) + " MiB)");
            if (reserved < pages)
            {
                out.flush();
                throw new CliFailure("the kernel reserved " + reserved + " of the " + pages + " hugepages asked " +
                    "for (memory too fragmented or too small); try again, or reserve them at boot with hugepages=" + pages);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static int readBack(final Action action)
    {
        try
        {
            return Integer.parseInt(ProcFiles.readTrimmed(action.file()));
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new CliFailure("cannot read back " + action.file() + ": " + ex.getMessage());
        }
    }
}
