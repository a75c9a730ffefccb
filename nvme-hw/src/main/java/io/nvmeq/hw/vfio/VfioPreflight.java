package io.nvmeq.hw.vfio;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The checks made from sysfs and /dev before any VFIO call, in the order a user fixes them: the device
 * exists and is NVMe, the IOMMU is on, VFIO is loaded, the device is bound to vfio-pci, its group device
 * exists. Each failure is a {@link VfioSetupException} that says what to do.
 */
final class VfioPreflight
{
    static final String VFIO_PCI = "vfio-pci";

    private VfioPreflight()
    {
    }

    /**
     * @return the IOMMU group of {@code address}, whose /dev/vfio/N exists
     * @throws VfioSetupException if the device cannot be opened through VFIO as the system is set up
     */
    static int check(final PciSysfs sysfs, final String address, final String uri)
    {
        if (!sysfs.deviceExists(address))
        {
            throw SetupProblems.deviceNotFound(uri, address, nvmeFunctions(sysfs));
        }
        if (!sysfs.isNvme(address))
        {
            throw SetupProblems.notNvme(uri, address, sysfs.pciClass(address));
        }
        final OptionalInt group = sysfs.iommuGroup(address);
        if (group.isEmpty())
        {
            throw SetupProblems.noIommu(uri, address);
        }
        if (!Files.exists(sysfs.containerPath()))
        {
            throw SetupProblems.vfioNotLoaded(uri, address, sysfs);
        }
        final String driver = sysfs.driver(address);
        if (!driver.equals(VFIO_PCI))
        {
            throw SetupProblems.notBound(uri, address, driver);
        }
        if (!Files.exists(sysfs.groupPath(group.getAsInt())))
        {
            throw SetupProblems.systemCall(uri, "open(" + sysfs.groupPath(group.getAsInt()) + ")", VfioLibC.ENOENT,
                address + " is bound to vfio-pci but its group device is missing; is /dev managed by udev or " +
                    "devtmpfs here?");
        }
        return group.getAsInt();
    }

    static List<String> nvmeFunctions(final PciSysfs sysfs)
    {
        final List<String> functions = new ArrayList<>();
        for (final String address : sysfs.deviceAddresses())
        {
            if (sysfs.isNvme(address))
            {
                functions.add(address);
            }
        }
        return functions;
    }
}
