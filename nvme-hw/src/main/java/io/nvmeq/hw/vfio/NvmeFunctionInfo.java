package io.nvmeq.hw.vfio;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An NVMe PCI function as {@link NvmeSetup#list()} reports it: its driver ("" if none), IOMMU group,
 * the kernel block devices of its namespaces and partitions (only while the kernel's nvme driver owns
 * it), and those of them that are in use (mounted, swap, or held by LVM/md) with how.
 */
public record NvmeFunctionInfo(String address, String driver, OptionalInt iommuGroup, List<String> blockDevices,
    List<String> inUse)
{
    public NvmeFunctionInfo
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(iommuGroup, "iommuGroup");
        blockDevices = List.copyOf(blockDevices);
        inUse = List.copyOf(inUse);
    }

    public boolean boundToVfio()
    {
        return driver.equals(VfioPreflight.VFIO_PCI);
    }

    /** The URI that opens its first namespace through VFIO. */
    public String uri()
    {
        return "nvme://" + address + "/1";
    }
}
