package io.nvmeq.hw.vfio;

import io.nvmeq.hw.vfio.VfioSetupException.Problem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code nvmeq setup} does, as a library: lists the NVMe functions with their drivers, IOMMU groups
 * and block devices; hands a function to vfio-pci or back to the kernel through {@code driver_override}
 * and {@code drivers_probe}; reserves 2 MiB hugepages. Every change is first planned as a list of
 * {@link Action}s, which a dry run only returns. A function whose block devices are mounted, used as swap
 * or held by LVM/md is refused before anything is written.
 */
public final class NvmeSetup
{
    /** One write to a sysfs or procfs file. */
    public record Action(Path file, String value)
    {
        /** The shell command that does the same, e.g. {@code echo vfio-pci > /sys/.../driver_override}. */
        public String command()
        {
            return "echo " + (value.isEmpty() ? "" : value + " ") + "> " + file;
        }
    }

    private final PciSysfs sysfs;

    public NvmeSetup(final PciSysfs sysfs)
    {
        this.sysfs = sysfs;
    }

    /** The running system. */
    public static NvmeSetup system()
    {
        return new NvmeSetup(PciSysfs.system());
    }

    /** Every NVMe function, sorted by address. */
    public List<NvmeFunctionInfo> list()
    {
        final List<NvmeFunctionInfo> functions = new ArrayList<>();
        for (final String address : VfioPreflight.nvmeFunctions(sysfs))
        {
            functions.add(describe(address));
        }
        return functions;
    }

    /** One NVMe function. */
    public NvmeFunctionInfo describe(final String address)
    {
        final List<String> blockDevices = blockDevices(address);
        return new NvmeFunctionInfo(address, sysfs.driver(address), sysfs.iommuGroup(address), blockDevices,
            usage(address, blockDevices));
    }

    /**
     * Hands {@code address} to vfio-pci: unbind from its driver, set driver_override, probe.
     *
     * @param dryRun only return the actions
     * @return the actions, done unless {@code dryRun}; none if it is bound to vfio-pci already
     * @throws VfioSetupException (DEVICE_NOT_FOUND, NOT_NVME, NO_IOMMU, DEVICE_IN_USE) before any write
     */
    public List<Action> bindToVfio(final String address, final boolean dryRun)
    {
        final NvmeFunctionInfo function = checked(address);
        if (function.iommuGroup().isEmpty())
        {
            throw SetupProblems.noIommu(function.uri(), address);
        }
        if (!function.inUse().isEmpty())
        {
            throw new VfioSetupException(function.uri(), Problem.DEVICE_IN_USE,
                address + " is in use by the kernel: " + String.join("; ", function.inUse()),
                "unmount its filesystems, swapoff its swap and release it from LVM/md first; nvmeq never takes a " +
                    "device whose data the kernel is using");
        }
        final List<Action> actions = new ArrayList<>();
        if (function.boundToVfio())
        {
            return actions;
        }
        if (!sysfs.vfioPciDriverPresent())
        {
            throw SetupProblems.vfioNotLoaded(function.uri(), address, sysfs);
        }
        final Path device = sysfs.devicePath(address);
        if (!function.driver().isEmpty())
        {
            actions.add(new Action(device.resolve("driver/unbind"), address));
        }
        actions.add(new Action(device.resolve("driver_override"), VfioPreflight.VFIO_PCI));
        actions.add(new Action(sysfs.resolve("sys/bus/pci/drivers_probe"), address));
        return perform(actions, dryRun);
    }

    /** Gives {@code address} back to the kernel's drivers: unbind from vfio-pci, clear driver_override, probe. */
    public List<Action> returnToKernel(final String address, final boolean dryRun)
    {
        final NvmeFunctionInfo function = checked(address);
        final List<Action> actions = new ArrayList<>();
        if (!function.boundToVfio())
        {
            return actions;
        }
        final Path device = sysfs.devicePath(address);
        actions.add(new Action(device.resolve("driver/unbind"), address));
        actions.add(new Action(device.resolve("driver_override"), ""));
        actions.add(new Action(sysfs.resolve("sys/bus/pci/drivers_probe"), address));
        return perform(actions, dryRun);
    }

    /** Reserves {@code pages} 2 MiB hugepages (the default hugepage size on x86-64) for DMA memory. */
    public List<Action> reserveHugepages(final int pages, final boolean dryRun)
    {
        if (pages < 0)
        {
            throw new IllegalArgumentException("hugepages must be 0 or more, not " + pages);
        }
        return perform(List.of(new Action(sysfs.resolve("proc/sys/vm/nr_hugepages"), Integer.toString(pages))), dryRun);
    }

    private NvmeFunctionInfo checked(final String address)
    {
        final String uri = "nvme://" + address + "/1";
        if (!sysfs.deviceExists(address))
        {
            throw SetupProblems.deviceNotFound(uri, address, VfioPreflight.nvmeFunctions(sysfs));
        }
        if (!sysfs.isNvme(address))
        {
            throw SetupProblems.notNvme(uri, address, sysfs.pciClass(address));
        }
        return describe(address);
    }

    private static List<Action> perform(final List<Action> actions, final boolean dryRun)
    {
        if (!dryRun)
        {
            for (final Action action : actions)
            {
                try
                {
                    Files.writeString(action.file(), action.value() + "\n");
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("'" + action.command() + "' failed (are you root?)", ex);
                }
            }
        }
        return List.copyOf(actions);
    }

    /** nvmeXnY namespaces under each controller of the function, and their nvmeXnYpZ partitions. */
    private List<String> blockDevices(final String address)
    {
        final List<String> devices = new ArrayList<>();
        for (final Path controller : children(sysfs.devicePath(address).resolve("nvme")))
        {
            for (final Path namespace : children(controller))
            {
                final String name = namespace.getFileName().toString();
                if (name.matches("nvme\\d+(c\\d+)?n\\d+"))
                {
                    devices.add(name);
                    for (final Path partition : children(namespace))
                    {
                        if (partition.getFileName().toString().matches(name + "p\\d+"))
                        {
                            devices.add(partition.getFileName().toString());
                        }
                    }
                }
            }
        }
        return devices;
    }

    /** How the kernel uses those block devices: mount points (/proc/mounts), swap (/proc/swaps), holders. */
    private List<String> usage(final String address, final List<String> blockDevices)
    {
        final List<String> uses = new ArrayList<>();
        if (blockDevices.isEmpty())
        {
            return uses;
        }
        for (final String line : lines(sysfs.resolve("proc/mounts")))
        {
            final String[] fields = line.split(" ");
            if (fields.length >= 2 && blockDevices.contains(deviceName(fields[0])))
            {
                uses.add(fields[0] + " is mounted on " + fields[1]);
            }
        }
        for (final String line : lines(sysfs.resolve("proc/swaps")))
        {
            final String[] fields = line.split("\\s+");
            if (fields.length >= 1 && blockDevices.contains(deviceName(fields[0])))
            {
                uses.add(fields[0] + " is used as swap");
            }
        }
        for (final Path controller : children(sysfs.devicePath(address).resolve("nvme")))
        {
            for (final String device : blockDevices)
            {
                final Path holders = device.contains("p") && device.lastIndexOf('p') > device.lastIndexOf('n') ?
                    controller.resolve(device.substring(0, device.lastIndexOf('p'))).resolve(device).resolve("holders") :
                    controller.resolve(device).resolve("holders");
                for (final Path holder : children(holders))
                {
                    uses.add("/dev/" + device + " is held by " + holder.getFileName() + " (LVM, md or dm)");
                }
            }
        }
        return uses;
    }

    private static String deviceName(final String path)
    {
        return path.startsWith("/dev/") ? path.substring("/dev/".length()) : path;
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.readAllLines(file);
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static List<Path> children(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory, ex);
        }
    }
}
