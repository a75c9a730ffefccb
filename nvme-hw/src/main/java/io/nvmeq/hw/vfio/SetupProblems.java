package io.nvmeq.hw.vfio;

import io.nvmeq.hw.nativeio.LibC;
import io.nvmeq.hw.vfio.VfioSetupException.Problem;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link VfioSetupException} for each known setup failure: what is wrong, in the terms the
 * user sees (paths, drivers, errno), and the commands that fix it.
 */
final class SetupProblems
{
    static final String NL = System.lineSeparator();

    private SetupProblems()
    {
    }

    static VfioSetupException deviceNotFound(final String uri, final String address, final List<String> nvmeFunctions)
    {
        return new VfioSetupException(uri, Problem.DEVICE_NOT_FOUND,
            "there is no PCI function " + address + " (no /sys/bus/pci/devices/" + address + ")",
            "check the address with 'lspci -D -d ::0108'; NVMe functions on this machine: " +
                (nvmeFunctions.isEmpty() ? "none" : String.join(", ", nvmeFunctions)));
    }

    static VfioSetupException notNvme(final String uri, final String address, final int pciClass)
    {
        return new VfioSetupException(uri, Problem.NOT_NVME,
            address + " is not an NVMe controller (PCI class " + (pciClass < 0 ? "unreadable" :
                String.format("0x%06x", pciClass)) + ", an NVMe controller has 0x010802)",
            "name an NVMe function: 'lspci -D -d ::0108' lists them");
    }

    static VfioSetupException noIommu(final String uri, final String address)
    {
        return new VfioSetupException(uri, Problem.NO_IOMMU,
            address + " has no IOMMU group (no /sys/bus/pci/devices/" + address + "/iommu_group): the IOMMU is " +
                "off or absent, and VFIO needs it to confine the device's DMA to the memory nvmeq maps",
            "enable VT-d (Intel) or AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on " +
                "(iommu=pt keeps host devices fast); 'dmesg | grep -i -e DMAR -e IOMMU' shows whether it is on, " +
                "and /sys/kernel/iommu_groups must not be empty. In a VM, give it a vIOMMU " +
                "(QEMU: -machine q35 -device intel-iommu,intremap=on)");
    }

    static VfioSetupException vfioNotLoaded(final String uri, final String address, final PciSysfs sysfs)
    {
        final String modules = sysfs.moduleLoaded("vfio") ?
            "the vfio module is loaded but /dev/vfio/vfio is missing (is /dev mounted, or is this a container " +
                "without the device passed in?)" :
            "the vfio modules are not loaded";
        return new VfioSetupException(uri, Problem.VFIO_NOT_LOADED,
            "cannot reach VFIO: there is no " + sysfs.containerPath() + "; " + modules,
            "as root: 'modprobe vfio-pci' (it loads vfio and vfio_iommu_type1 too), then bind " + address +
                " to vfio-pci ('nvmeq setup bind " + address + "'); in a container, pass --device /dev/vfio/vfio " +
                "and --device /dev/vfio/N for the device's IOMMU group");
    }

    static VfioSetupException notBound(final String uri, final String address, final String driver)
    {
        final String what;
        final String before;
        if (driver.isEmpty())
        {
            what = address + " is bound to no driver; nvmeq reaches it only through vfio-pci";
            before = "";
        }
        else if (driver.equals("nvme"))
        {
            what = address + " is bound to the kernel's nvme driver, not vfio-pci: the kernel owns it";
            before = " Unbinding removes its block devices (/dev/nvmeXnY): unmount them and stop using them first.";
        }
        else
        {
            what = address + " is bound to the driver '" + driver + "', not vfio-pci";
            before = "";
        }
        final List<String> commands = new ArrayList<>();
        if (!driver.isEmpty())
        {
            commands.add("echo " + address + " > /sys/bus/pci/devices/" + address + "/driver/unbind");
        }
        commands.add("modprobe vfio-pci");
        commands.add("echo vfio-pci > /sys/bus/pci/devices/" + address + "/driver_override");
        commands.add("echo " + address + " > /sys/bus/pci/drivers_probe");
        return new VfioSetupException(uri, Problem.NOT_BOUND_TO_VFIO_PCI, what,
            "bind it to vfio-pci: 'nvmeq setup bind " + address + "' (it refuses while a namespace is mounted " +
                "or used as swap), or as root:" + NL + "    " + String.join(NL + "    ", commands) + NL +
                "  ('echo > .../driver_override' and the same drivers_probe give it back to the kernel later)." + before);
    }

    static VfioSetupException groupNotViable(final String uri, final String address, final int group,
        final List<PciFunction> members)
    {
        final List<String> blocking = new ArrayList<>();
        final List<String> all = new ArrayList<>();
        for (final PciFunction member : members)
        {
            all.add(member.describe());
            if (!member.address().equals(address) && member.hasDriver() && !isVfioFriendly(member.driver()))
            {
                blocking.add(member.describe());
            }
        }
        return new VfioSetupException(uri, Problem.GROUP_NOT_VIABLE,
            "IOMMU group " + group + " of " + address + " is not viable: VFIO gives a process a whole group, and " +
                "other members are still bound to host drivers: " +
                (blocking.isEmpty() ? "(none found in sysfs now; members: " + String.join(", ", all) + ")" :
                    String.join(", ", blocking)),
            "bind every function of /sys/kernel/iommu_groups/" + group + "/devices to vfio-pci or unbind it " +
                "('nvmeq setup bind ADDRESS' for each), or put the device in a slot with a group of its own " +
                "(ACS); the group's members: " + String.join(", ", all));
    }

    /** Drivers that keep a group viable: VFIO's own, pci-stub, and PCIe port services on bridges. */
    static boolean isVfioFriendly(final String driver)
    {
        return driver.equals("vfio-pci") || driver.equals("pci-stub") || driver.equals("pcieport");
    }

    static VfioSetupException permissionDenied(final String uri, final String path, final int errno)
    {
        return new VfioSetupException(uri, Problem.PERMISSION_DENIED,
            "cannot open " + path + ": " + errnoText(errno),
            "run as root, or give your user the VFIO devices: 'chown $USER " + path + "' (a udev rule makes it " +
                "last: SUBSYSTEM==\"vfio\", OWNER=\"youruser\"), and raise that user's locked-memory limit " +
                "('ulimit -l unlimited' or a memlock line in /etc/security/limits.conf)");
    }

    static VfioSetupException groupBusy(final String uri, final String path)
    {
        return new VfioSetupException(uri, Problem.GROUP_BUSY,
            "cannot open " + path + ": another process holds this IOMMU group (EBUSY)",
            "stop the other user of the device (another nvmeq, QEMU with vfio-pci, SPDK or DPDK); " +
                "'fuser -v " + path + "' names it");
    }

    static VfioSetupException unsupported(final String uri, final String detail)
    {
        return new VfioSetupException(uri, Problem.UNSUPPORTED_VFIO, detail,
            "use a Linux kernel with VFIO and the Type1 v2 IOMMU backend (every kernel since 3.18 on x86-64 and " +
                "arm64): 'modprobe vfio_iommu_type1'");
    }

    static VfioSetupException noInterruptRemapping(final String uri, final PciSysfs sysfs)
    {
        final String unsafe = sysfs.moduleParameter("vfio_iommu_type1", "allow_unsafe_interrupts").orElse("?");
        return new VfioSetupException(uri, Problem.NO_INTERRUPT_REMAPPING,
            "VFIO_SET_IOMMU was refused (EPERM): the IOMMU does not remap interrupts, so VFIO will not let a " +
                "device's MSIs reach the host unchecked (allow_unsafe_interrupts is " + unsafe + ")",
            "enable interrupt remapping (x2APIC/IR in the firmware; with QEMU, -device intel-iommu,intremap=on), " +
                "or accept the risk: 'echo 1 > /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts'");
    }

    static VfioSetupException memlock(final String uri, final long bytes, final long softLimit,
        final boolean canLockWithoutLimit)
    {
        final String limit = softLimit == LibC.RLIM_INFINITY ? "unlimited" :
            softLimit < 0 ? "unknown" : softLimit + " bytes";
        return new VfioSetupException(uri, Problem.MEMLOCK_LIMIT,
            "VFIO could not pin " + bytes + " more bytes for DMA (ENOMEM): every page mapped for a device is " +
                "locked and counts against RLIMIT_MEMLOCK, which is " + limit + " for this process" +
                (canLockWithoutLimit ? " (it has CAP_IPC_LOCK, so the machine itself may be out of memory)" : ""),
            "raise the limit before starting the JVM: 'ulimit -l unlimited', a memlock line in " +
                "/etc/security/limits.conf, LimitMEMLOCK=infinity for a systemd service, --ulimit memlock=-1 for " +
                "docker; or run as root (CAP_IPC_LOCK)");
    }

    static VfioSetupException barNotMappable(final String uri, final String address, final String detail)
    {
        return new VfioSetupException(uri, Problem.BAR_NOT_MAPPABLE,
            "cannot memory-map BAR0 of " + address + ": " + detail,
            "nvmeq needs the NVMe registers and doorbells mapped into the process: use a kernel (4.16 or later) " +
                "whose vfio-pci maps the whole BAR, with interrupt remapping on");
    }

    static VfioSetupException systemCall(final String uri, final String call, final int errno, final String detail)
    {
        return new VfioSetupException(uri, Problem.SYSTEM_CALL_FAILED,
            call + " failed: " + errnoText(errno) + (detail.isEmpty() ? "" : " (" + detail + ")"),
            "'dmesg | tail' shows the kernel's side of it");
    }

    static String errnoText(final int errno)
    {
        return "errno " + errno + " (" + LibC.strerrorText(errno) + ")";
    }
}
