package io.nvmeq.hw.vfio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * What sysfs and /dev say about PCI functions, IOMMU groups and VFIO, read below a root directory that
 * is {@code /} on a real system and a fake tree in tests. Nothing here changes the system.
 */
public final class PciSysfs
{
    /** The sysfs class code of an NVMe I/O controller: mass storage (01), NVM (08), NVMe (02). */
    public static final int NVME_CLASS = 0x010802;
    /** Base class and subclass of every NVM controller (prog-if 02 = NVMe, 03 = NVMe admin-only). */
    static final int NVM_SUBCLASS = 0x0108;

    private final Path root;

    public PciSysfs(final Path root)
    {
        this.root = root;
    }

    /** The running system's sysfs, /dev and /proc. */
    public static PciSysfs system()
    {
        return new PciSysfs(Path.of("/"));
    }

    public Path root()
    {
        return root;
    }

    /** {@code /sys/bus/pci/devices/ADDRESS}. */
    public Path devicePath(final String address)
    {
        return root.resolve("sys/bus/pci/devices").resolve(address);
    }

    public boolean deviceExists(final String address)
    {
        return Files.isDirectory(devicePath(address));
    }

    /** The PCI functions sysfs lists, sorted by address. */
    public List<String> deviceAddresses()
    {
        return sortedNames(root.resolve("sys/bus/pci/devices"));
    }

    /** The NVMe functions (class 0x0108xx) bound to {@code driver}, e.g. vfio-pci, sorted by address. */
    public List<String> nvmeFunctionsBoundTo(final String driver)
    {
        final List<String> functions = new ArrayList<>();
        for (final String address : deviceAddresses())
        {
            if (isNvme(address) && driver(address).equals(driver))
            {
                functions.add(address);
            }
        }
        return functions;
    }

    /** The 24-bit class code from {@code class} (e.g. "0x010802"), or -1 if unreadable. */
    public int pciClass(final String address)
    {
        final Optional<String> text = readTrimmed(devicePath(address).resolve("class"));
        if (text.isEmpty())
        {
            return -1;
        }
        try
        {
            final String hex = text.get().startsWith("0x") ? text.get().substring(2) : text.get();
            return Integer.parseInt(hex, 16);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** Whether the class code says NVM controller (NVMe I/O or admin-only). */
    public boolean isNvme(final String address)
    {
        final int pciClass = pciClass(address);
        return pciClass >= 0 && pciClass >>> 8 == NVM_SUBCLASS;
    }

    /** The name of the driver bound to the function (the {@code driver} link's target), or "" if none. */
    public String driver(final String address)
    {
        return linkName(devicePath(address).resolve("driver")).orElse("");
    }

    /** The function's IOMMU group number (the {@code iommu_group} link), empty without an IOMMU. */
    public OptionalInt iommuGroup(final String address)
    {
        final Optional<String> name = linkName(devicePath(address).resolve("iommu_group"));
        if (name.isEmpty())
        {
            return OptionalInt.empty();
        }
        try
        {
            return OptionalInt.of(Integer.parseInt(name.get()));
        }
        catch (final NumberFormatException ex)
        {
            return OptionalInt.empty();
        }
    }

    /** The functions of IOMMU group {@code group} with their drivers, sorted by address. */
    public List<PciFunction> groupMembers(final int group)
    {
        final List<PciFunction> members = new ArrayList<>();
        for (final String address : sortedNames(root.resolve("sys/kernel/iommu_groups").resolve(Integer.toString(group))
            .resolve("devices")))
        {
            members.add(new PciFunction(address, driver(address)));
        }
        return members;
    }

    /** {@code /dev/vfio}. */
    public Path vfioDirectory()
    {
        return root.resolve("dev/vfio");
    }

    /** {@code /dev/vfio/vfio}, the container device. */
    public Path containerPath()
    {
        return vfioDirectory().resolve("vfio");
    }

    /** {@code /dev/vfio/N}, the group device. */
    public Path groupPath(final int group)
    {
        return vfioDirectory().resolve(Integer.toString(group));
    }

    /** Whether kernel module {@code name} is loaded (or built in with parameters): {@code /sys/module/NAME}. */
    public boolean moduleLoaded(final String name)
    {
        return Files.isDirectory(root.resolve("sys/module").resolve(name));
    }

    /** Whether the vfio-pci driver is registered with the PCI bus. */
    public boolean vfioPciDriverPresent()
    {
        return Files.isDirectory(root.resolve("sys/bus/pci/drivers/vfio-pci"));
    }

    /** A parameter of a loaded module, e.g. vfio_iommu_type1's dma_entry_limit. */
    public Optional<String> moduleParameter(final String module, final String parameter)
    {
        return readTrimmed(root.resolve("sys/module").resolve(module).resolve("parameters").resolve(parameter));
    }

    /** vfio_iommu_type1's {@code dma_entry_limit}: the most DMA mappings one container may hold. */
    public OptionalInt dmaEntryLimit()
    {
        final Optional<String> text = moduleParameter("vfio_iommu_type1", "dma_entry_limit");
        if (text.isEmpty())
        {
            return OptionalInt.empty();
        }
        try
        {
            return OptionalInt.of(Integer.parseUnsignedInt(text.get()));
        }
        catch (final NumberFormatException ex)
        {
            return OptionalInt.empty();
        }
    }

    /** A file under the root, e.g. {@code proc/mounts}. */
    public Path resolve(final String relative)
    {
        return root.resolve(relative);
    }

    static Optional<String> readTrimmed(final Path file)
    {
        try
        {
            return Optional.of(Files.readString(file).trim());
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
    }

    private static Optional<String> linkName(final Path link)
    {
        try
        {
            final Path target = Files.readSymbolicLink(link);
            final Path name = target.getFileName();
            return name == null ? Optional.empty() : Optional.of(name.toString());
        }
        catch (final NoSuchFileException | NotLinkException ex)
        {
            return Optional.empty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the link " + link, ex);
        }
    }

    private static List<String> sortedNames(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory, ex);
        }
    }
}
