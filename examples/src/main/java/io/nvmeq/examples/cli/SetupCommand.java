package io.nvmeq.examples.cli;

import io.nvmeq.hw.vfio.NvmeSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeq setup}: prepares a machine for nvmeq, as SPDK's {@code setup.sh} does: lists the NVMe functions,
 * hands them to vfio-pci and back to the kernel, reserves hugepages. The work is {@link NvmeSetup}'s; this is its
 * command line.
 */
@Command(
    name = "setup",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Prepare NVMe devices for nvmeq: list them, bind them to vfio-pci, give them back to the kernel's nvme "
            + "driver, reserve hugepages. Changes need root; --dry-run prints the commands instead.",
        "A device whose namespaces are mounted, used as swap or held by LVM/md is refused, and nothing is changed."
    },
    subcommands = {
        SetupListCommand.class,
        SetupBindCommand.class,
        SetupUnbindCommand.class,
        SetupHugepagesCommand.class
    })
final class SetupCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing command: list, bind, unbind or hugepages");
    }
}
