package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.DeviceUnavailableException;

/**
 * A VFIO device that cannot be opened or used because of how the machine is set up, not because of a
 * bug: the message says what is wrong and what to do about it, and {@link #problem()} says which of the
 * known setup failures it is, so that tools (e.g. {@code nvmeq setup}) can react to it.
 */
public final class VfioSetupException extends DeviceUnavailableException
{
    private static final long serialVersionUID = 1L;

    /** The setup failures nvmeq recognises. */
    public enum Problem
    {
        /** sysfs has no PCI function at that address. */
        DEVICE_NOT_FOUND,
        /** The PCI function is not an NVMe controller (class code 0x0108xx). */
        NOT_NVME,
        /** No IOMMU group: the IOMMU is off (firmware or kernel command line) or absent. */
        NO_IOMMU,
        /** /dev/vfio/vfio is missing: the vfio and vfio-pci modules are not loaded. */
        VFIO_NOT_LOADED,
        /** The function is bound to another driver (e.g. nvme) or to none, instead of vfio-pci. */
        NOT_BOUND_TO_VFIO_PCI,
        /** The IOMMU group holds other devices that are bound to host drivers. */
        GROUP_NOT_VIABLE,
        /** Opening /dev/vfio/vfio or /dev/vfio/N was refused (file permissions). */
        PERMISSION_DENIED,
        /** Another process (another nvmeq, QEMU, DPDK, SPDK) holds the IOMMU group. */
        GROUP_BUSY,
        /** The kernel's VFIO lacks the API version or the Type1 v2 IOMMU backend nvmeq needs. */
        UNSUPPORTED_VFIO,
        /** VFIO_SET_IOMMU was refused because the IOMMU cannot remap interrupts. */
        NO_INTERRUPT_REMAPPING,
        /** Pinning DMA memory for the device exceeded RLIMIT_MEMLOCK. */
        MEMLOCK_LIMIT,
        /** BAR0 cannot be memory-mapped from the device fd. */
        BAR_NOT_MAPPABLE,
        /** A namespace of the device is mounted, used as swap or held by another block device (LVM, md). */
        DEVICE_IN_USE,
        /** A VFIO call failed for a reason none of the above explains; the message has the call and errno. */
        SYSTEM_CALL_FAILED
    }

    private final Problem problem;
    private final String what;
    private final String whatToDo;

    VfioSetupException(final String uri, final Problem problem, final String what, final String whatToDo)
    {
        super(uri, what + System.lineSeparator() + "What to do: " + whatToDo);
        this.problem = problem;
        this.what = what;
        this.whatToDo = whatToDo;
    }

    public Problem problem()
    {
        return problem;
    }

    /** What is wrong, alone: without the device URI and the advice, for tools that are not opening a device. */
    public String what()
    {
        return what;
    }

    /** The advice part of the message alone: commands to run or settings to change. */
    public String whatToDo()
    {
        return whatToDo;
    }
}
