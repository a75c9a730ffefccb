package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.nvmeq.hw.vfio.NvmeFunctionInfo;
import io.nvmeq.hw.vfio.PciSysfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code nvmeq setup list}: every NVMe function with its driver, IOMMU group, block devices and their use. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
        "List the NVMe functions (PCI class 0x0108xx): driver, IOMMU group, the kernel's block devices of their "
            + "namespaces (only while the kernel's nvme driver owns them) and whether those are in use, "
            + "then the state of vfio-pci and of the 2 MiB hugepages.",
        "Changes nothing; needs no root."
    })
final class SetupListCommand implements Callable<Integer>
{
    private static final String[] HEADER = {"BDF", "DRIVER", "IOMMU GROUP", "BLOCK DEVICES", "STATUS"};

    @Spec
    private CommandSpec spec;

    @Mixin
    private SysfsRootOption sysfsRoot;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PciSysfs sysfs = sysfsRoot.sysfs();
        final List<NvmeFunctionInfo> functions = sysfsRoot.setup().list();
        if (functions.isEmpty())
        {
            out.println("No NVMe functions (PCI class 0x0108xx) in " + sysfs.resolve("sys/bus/pci/devices"));
        }
        else
        {
            final List<String[]> rows = new ArrayList<>();
            rows.add(HEADER);
            for (final NvmeFunctionInfo function : functions)
            {
                rows.add(new String[] {
                    function.address(),
                    function.driver().isEmpty() ? "-" : function.driver(),
                    function.iommuGroup().isPresent() ? Integer.toString(function.iommuGroup().getAsInt()) : "none",
                    function.blockDevices().isEmpty() ? "-" : String.join(",", function.blockDevices()),
                    status(function)});
            }
            printTable(out, rows);
        }
        out.println();
        out.println("vfio-pci: " + (sysfs.vfioPciDriverPresent() ? "loaded" : "not loaded ('modprobe vfio-pci' as root)"));
        out.println("hugepages (2 MiB): " + hugepages(sysfs));
        out.flush();
        return ExitCodes.OK;
    }

    /** What the function is to nvmeq: usable, free to take, in use, or why not. */
    static String status(final NvmeFunctionInfo function)
    {
        if (function.boundToVfio())
        {
            return "ready for nvmeq: " + function.uri();
        }
        if (!function.inUse().isEmpty())
        {
            return "in use, kept by the kernel: " + String.join("; ", function.inUse());
        }
        if (function.iommuGroup().isEmpty())
        {
            return "no IOMMU group: vfio-pci cannot take it (the IOMMU is off)";
        }
        if (function.driver().isEmpty())
        {
            return "no driver: 'nvmeq setup bind " + function.address() + "' or 'unbind' hands it to nvmeq or the kernel";
        }
        return "not in use: 'nvmeq setup bind " + function.address() + "' hands it to nvmeq";
    }

    private static String hugepages(final PciSysfs sysfs)
    {
        final Optional<String> reserved = read(sysfs, "proc/sys/vm/nr_hugepages");
        final Optional<String> free = read(sysfs, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
        if (reserved.isEmpty())
        {
            return "unknown (no /proc/sys/vm/nr_hugepages)";
        }
        return reserved.get() + " reserved" + free.map(pages -> ", " + pages + " free").orElse("") +
            ("0".equals(reserved.get()) ? " ('nvmeq setup hugepages N' reserves N)" : "");
    }

    private static Optional<String> read(final PciSysfs sysfs, final String relative)
    {
        try
        {
            return Optional.of(ProcFiles.readTrimmed(sysfs.resolve(relative)));
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
    }

    /** Left-aligned columns two spaces apart; the last column is not padded. */
    private static void printTable(final PrintWriter out, final List<String[]> rows)
    {
        final int[] widths = new int[HEADER.length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (final String[] row : rows)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++)
            {
                line.append(row[i]);
                if (i < row.length - 1)
                {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }
}
