package io.nvmeq.hw.vfio;

import io.nvmeq.hw.vfio.VfioSetupException.Problem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NvmeSetupTest
{
    private static final String KERNEL_OWNED = "0000:44:00.0";
    private static final String VFIO_OWNED = "0000:45:00.0";

    @TempDir
    Path root;

    private FakeSysfs tree;
    private NvmeSetup setup;

    @BeforeEach
    void machine()
    {
        tree = new FakeSysfs(root)
            .nvme(KERNEL_OWNED).driver(KERNEL_OWNED, "nvme").group(KERNEL_OWNED, 20)
            .nvme(VFIO_OWNED).driver(VFIO_OWNED, "vfio-pci").group(VFIO_OWNED, 21)
            .function("0000:00:1f.0", "0x060100")
            .vfioLoaded(21)
            .file("proc/mounts", "sysfs /sys sysfs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n")
            .file("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/sda2 partition 1000 0 -2\n")
            .file("proc/sys/vm/nr_hugepages", "0\n");
        tree.mkdirs("sys/devices/pci0000:00/" + KERNEL_OWNED + "/nvme/nvme0/nvme0n1/nvme0n1p1");
        tree.mkdirs("sys/devices/pci0000:00/" + KERNEL_OWNED + "/nvme/nvme0/nvme0n1/holders");
        tree.mkdirs("sys/devices/pci0000:00/" + KERNEL_OWNED + "/nvme/nvme0/nvme0n2");
        setup = new NvmeSetup(tree.sysfs());
    }

    private Path override(final String address)
    {
        return root.resolve("sys/devices/pci0000:00/" + address + "/driver_override");
    }

    @Test
    void listsNvmeFunctionsWithDriversGroupsAndBlockDevices()
    {
        final List<NvmeFunctionInfo> functions = setup.list();
        assertEquals(2, functions.size());
        final NvmeFunctionInfo kernel = functions.get(0);
        assertEquals(KERNEL_OWNED, kernel.address());
        assertEquals("nvme", kernel.driver());
        assertEquals(20, kernel.iommuGroup().getAsInt());
        assertEquals(List.of("nvme0n1", "nvme0n1p1", "nvme0n2"), kernel.blockDevices());
        assertTrue(kernel.inUse().isEmpty());
        final NvmeFunctionInfo vfio = functions.get(1);
        assertTrue(vfio.boundToVfio());
        assertEquals("nvme://0000:45:00.0/1", vfio.uri());
        assertTrue(vfio.blockDevices().isEmpty());
    }

    @Test
    void aDryRunPlansTheRebindAndWritesNothing()
    {
        final List<NvmeSetup.Action> plan = setup.bindToVfio(KERNEL_OWNED, true);
        assertEquals(List.of(
            "echo 0000:44:00.0 > " + root.resolve("sys/bus/pci/devices/0000:44:00.0/driver/unbind"),
            "echo vfio-pci > " + root.resolve("sys/bus/pci/devices/0000:44:00.0/driver_override"),
            "echo 0000:44:00.0 > " + root.resolve("sys/bus/pci/drivers_probe")),
            plan.stream().map(NvmeSetup.Action::command).toList());
        assertFalse(Files.exists(override(KERNEL_OWNED)));
        assertFalse(Files.exists(root.resolve("sys/bus/pci/drivers_probe")));
    }

    @Test
    void bindingWritesTheOverrideAndProbes() throws IOException
    {
        assertEquals(3, setup.bindToVfio(KERNEL_OWNED, false).size());
        assertEquals("vfio-pci\n", Files.readString(override(KERNEL_OWNED)));
        assertEquals(KERNEL_OWNED + "\n", Files.readString(root.resolve("sys/bus/pci/drivers_probe")));
        assertEquals(KERNEL_OWNED + "\n", Files.readString(root.resolve("sys/bus/pci/drivers/nvme/unbind")));
        assertTrue(setup.bindToVfio(VFIO_OWNED, false).isEmpty(), "already on vfio-pci: nothing to do");
    }

    @Test
    void aMountedPartitionRefusesTheBindBeforeAnyWrite()
    {
        tree.file("proc/mounts", "/dev/sda1 / ext4 rw 0 0\n/dev/nvme0n1p1 /data xfs rw 0 0\n");
        final VfioSetupException ex = assertThrows(VfioSetupException.class, () -> setup.bindToVfio(KERNEL_OWNED, false));
        assertEquals(Problem.DEVICE_IN_USE, ex.problem());
        assertTrue(ex.getMessage().contains("/dev/nvme0n1p1 is mounted on /data"), ex.getMessage());
        assertFalse(Files.exists(override(KERNEL_OWNED)));
        assertFalse(Files.exists(root.resolve("sys/bus/pci/drivers/nvme/unbind")));
    }

    @Test
    void swapAndHoldersAlsoCountAsInUse()
    {
        tree.file("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/nvme0n2                            partition\t1000\t0\t-2\n");
        tree.mkdirs("sys/devices/pci0000:00/" + KERNEL_OWNED + "/nvme/nvme0/nvme0n1/holders/dm-0");
        final List<String> uses = setup.describe(KERNEL_OWNED).inUse();
        assertEquals(List.of("/dev/nvme0n2 is used as swap", "/dev/nvme0n1 is held by dm-0 (LVM, md or dm)"), uses);
        assertEquals(Problem.DEVICE_IN_USE,
            assertThrows(VfioSetupException.class, () -> setup.bindToVfio(KERNEL_OWNED, true)).problem());
    }

    @Test
    void returningToTheKernelClearsTheOverride() throws IOException
    {
        final List<NvmeSetup.Action> plan = setup.returnToKernel(VFIO_OWNED, false);
        assertEquals(3, plan.size());
        assertEquals("\n", Files.readString(override(VFIO_OWNED)));
        assertEquals(VFIO_OWNED + "\n", Files.readString(root.resolve("sys/bus/pci/drivers/vfio-pci/unbind")));
        assertTrue(setup.returnToKernel(KERNEL_OWNED, false).isEmpty(), "not on vfio-pci: nothing to do");
    }

    @Test
    void refusalsForMissingDevicesNonNvmeAndNoIommu()
    {
        assertEquals(Problem.DEVICE_NOT_FOUND,
            assertThrows(VfioSetupException.class, () -> setup.bindToVfio("0000:99:00.0", true)).problem());
        assertEquals(Problem.NOT_NVME,
            assertThrows(VfioSetupException.class, () -> setup.bindToVfio("0000:00:1f.0", true)).problem());
        tree.nvme("0000:46:00.0");
        assertEquals(Problem.NO_IOMMU,
            assertThrows(VfioSetupException.class, () -> setup.bindToVfio("0000:46:00.0", true)).problem());
    }

    @Test
    void reservesHugepages() throws IOException
    {
        assertEquals("echo 512 > " + root.resolve("proc/sys/vm/nr_hugepages"),
            setup.reserveHugepages(512, true).get(0).command());
        assertEquals("0\n", Files.readString(root.resolve("proc/sys/vm/nr_hugepages")));
        setup.reserveHugepages(512, false);
        assertEquals("512\n", Files.readString(root.resolve("proc/sys/vm/nr_hugepages")));
        assertThrows(IllegalArgumentException.class, () -> setup.reserveHugepages(-1, true));
    }
}
