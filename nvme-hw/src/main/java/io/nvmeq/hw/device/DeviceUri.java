package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatorConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A parsed device URI: which device to open. See {@link BadDeviceUriException#ACCEPTED_FORMS} for the
 * syntax; {@link Devices#open(String)} opens the NVMe ones.
 */
public sealed interface DeviceUri permits DeviceUri.Emulated, DeviceUri.Vfio, DeviceUri.Posix
{
    /** The device used when none is named: a 64 MiB in-memory emulated controller. */
    String DEFAULT = "emu:memory?size=64m";

    /**
     * Parses {@code uri}.
     *
     * @throws BadDeviceUriException naming the bad part and listing the accepted forms
     */
    static DeviceUri parse(final String uri)
    {
        return DeviceUriParser.parse(uri);
    }

    /** {@code emu:...}: the emulated controller built from {@code config}. */
    record Emulated(EmulatorConfig config) implements DeviceUri
    {
        public Emulated
        {
            Objects.requireNonNull(config, "config");
        }
    }

    /** {@code nvme://DDDD:BB:DD.F/N}: a PCI NVMe controller reached through VFIO, and a namespace on it. */
    record Vfio(int domain, int bus, int device, int function, int namespace) implements DeviceUri
    {
        public Vfio
        {
            if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f ||
                function < 0 || function > 7 || namespace < 1)
            {
                throw new IllegalArgumentException("not a PCI address and namespace: " +
                    domain + ":" + bus + ":" + device + "." + function + "/" + namespace);
            }
        }

        /** The address as sysfs and VFIO spell it, e.g. {@code 0000:44:00.0}. */
        public String pciAddress()
        {
            return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
        }

        /** The canonical URI, e.g. {@code nvme://0000:44:00.0/1}. */
        public String uri()
        {
            return "nvme://" + pciAddress() + "/" + namespace;
        }
    }

    /** {@code posix:/path}: a file or block device read through the kernel; not an NVMe device. */
    record Posix(Path path) implements DeviceUri
    {
        public Posix
        {
            Objects.requireNonNull(path, "path");
        }
    }
}
