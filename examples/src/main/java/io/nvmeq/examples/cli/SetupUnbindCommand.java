package io.nvmeq.examples.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nvmeq setup unbind BDF...}: gives NVMe functions back from vfio-pci to the kernel's nvme driver. */
@Command(
    name = "unbind",
    mixinStandardHelpOptions = true,
    description = {
        "Give NVMe functions back to the kernel: unbind each from vfio-pci, clear its driver_override, probe, "
            + "so that the kernel's nvme driver takes it and its block devices come back.",
        "A function not bound to vfio-pci is left as it is. Needs root; nvmeq must not have the device open."
    })
final class SetupUnbindCommand implements Callable<Integer>
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
        return new DriverChange(sysfsRoot.setup(), DriverChange.Destination.KERNEL, spec.commandLine().getOut())
            .run(addresses, dryRun);
    }
}
