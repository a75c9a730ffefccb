package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.DeviceUri;

/** {@code nvme://DDDD:BB:DD.F/N}: a PCI NVMe controller reached through VFIO, and a namespace on it. */
public record VfioUri(int domain, int bus, int device, int function, int namespace) implements DeviceUri
{
    public VfioUri
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

    @Override
    public String scheme()
    {
        return VfioDeviceProvider.SCHEME;
    }
}
