package io.nvmeq.examples.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nvmeq setup bind BDF...}: hands NVMe functions to vfio-pci, where nvmeq can open them. */
@Command(
    name = "bind",
    mixinStandardHelpOptions = true,
    description = {
        "Bind NVMe functions to vfio-pci: unbind each from its driver, set its driver_override to vfio-pci, "
            + "probe. Their kernel block devices (/dev/nvmeXnY) disappear until 'nvmeq setup unbind'.",
        "Refused, with nothing changed, if any namespace of any function named is mounted, used as swap or held by "
            + "LVM/md, or a function has no IOMMU group or is not NVMe. Needs root and the vfio-pci module."
    })
final class SetupBindCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private SysfsRootOption sysfsRoot;

    @Option(names = "--dry-run", description = "Print the sysfs writes that would be done; change nothing.")
    private boolean dryRun;

    @Parameters(
        arity = "1..*",
        paramLabel = "BDF",
        converter = PciAddressConverter.class,
        description = "PCI addresses as 'lspci -D' prints them, e.g. 0000:44:00.0.")
    private List<String> addresses;

    @Override
    public Integer call()
    {
        return new DriverChange(sysfsRoot.setup(), DriverChange.Destination.VFIO, spec.commandLine().getOut())
            .run(addresses, dryRun);
    }
}
