package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a sysfs, /dev and /proc tree under a temporary root, with links laid out as the kernel does: the minimal
 * copy of nvme-hw's test helper of the same name (test classes of nvme-hw are not on this module's classpath).
 */
final class FakeSysfs
{
    final Path root;

    FakeSysfs(final Path root)
    {
        this.root = root;
        mkdirs("sys/bus/pci/devices");
        mkdirs("sys/bus/pci/drivers");
        mkdirs("sys/kernel/iommu_groups");
        mkdirs("sys/module");
        mkdirs("proc");
        mkdirs("dev");
    }

    /** A PCI function with a class code; the real tree links devices/ADDR into devices/pci0000:00/ADDR. */
    FakeSysfs function(final String address, final String pciClass)
    {
        final Path real = mkdirs("sys/devices/pci0000:00/" + address);
        write(real.resolve("class"), pciClass + "\n");
        link("sys/bus/pci/devices/" + address, "../../../devices/pci0000:00/" + address);
        return this;
    }

    FakeSysfs nvme(final String address)
    {
        return function(address, "0x010802");
    }

    FakeSysfs driver(final String address, final String driver)
    {
        mkdirs("sys/bus/pci/drivers/" + driver);
        link("sys/devices/pci0000:00/" + address + "/driver", "../../../bus/pci/drivers/" + driver);
        return this;
    }

    FakeSysfs group(final String address, final int group)
    {
        mkdirs("sys/kernel/iommu_groups/" + group + "/devices");
        link("sys/devices/pci0000:00/" + address + "/iommu_group", "../../../kernel/iommu_groups/" + group);
        link("sys/kernel/iommu_groups/" + group + "/devices/" + address, "../../../../devices/pci0000:00/" + address);
        return this;
    }

    FakeSysfs vfioLoaded(final int... groups)
    {
        mkdirs("sys/module/vfio");
        mkdirs("sys/module/vfio_iommu_type1/parameters");
        mkdirs("sys/bus/pci/drivers/vfio-pci");
        file("dev/vfio/vfio", "");
        for (final int group : groups)
        {
            file("dev/vfio/" + group, "");
        }
        return this;
    }

    FakeSysfs file(final String relative, final String content)
    {
        final Path path = root.resolve(relative);
        mkdirs(root.relativize(path.getParent()).toString());
        write(path, content);
        return this;
    }

    Path mkdirs(final String relative)
    {
        try
        {
            return Files.createDirectories(root.resolve(relative));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void link(final String relative, final String target)
    {
        try
        {
            final Path link = root.resolve(relative);
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(target));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void write(final Path path, final String content)
    {
        try
        {
            Files.writeString(path, content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
