package io.nvmeq.hw.vfio;

import io.nvmeq.hw.vfio.VfioSetupException.Problem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VfioPreflightTest
{
    private static final String NVME = "0000:44:00.0";
    private static final String URI = "nvme://0000:44:00.0/1";

    @TempDir
    Path root;

    private FakeSysfs tree;

    @BeforeEach
    void machine()
    {
        tree = new FakeSysfs(root)
            .function("0000:00:00.0", "0x060000")
            .nvme("0000:45:00.0");
    }

    private VfioSetupException refusal()
    {
        return assertThrows(VfioSetupException.class, () -> VfioPreflight.check(tree.sysfs(), NVME, URI));
    }

    @Test
    void aMissingDeviceIsNamedWithTheNvmeFunctionsThatDoExist()
    {
        final VfioSetupException ex = refusal();
        assertEquals(Problem.DEVICE_NOT_FOUND, ex.problem());
        assertEquals(URI, ex.uri());
        assertTrue(ex.getMessage().contains("no PCI function " + NVME), ex.getMessage());
        assertTrue(ex.whatToDo().contains("NVMe functions on this machine: 0000:45:00.0"), ex.whatToDo());
    }

    @Test
    void aFunctionThatIsNotNvmeIsRefused()
    {
        tree.function(NVME, "0x020000");
        final VfioSetupException ex = refusal();
        assertEquals(Problem.NOT_NVME, ex.problem());
        assertTrue(ex.getMessage().contains("0x020000"), ex.getMessage());
    }

    @Test
    void noIommuGroupMeansNoIommu()
    {
        tree.nvme(NVME).driver(NVME, "nvme").vfioLoaded();
        final VfioSetupException ex = refusal();
        assertEquals(Problem.NO_IOMMU, ex.problem());
        assertTrue(ex.whatToDo().contains("intel_iommu=on"), ex.whatToDo());
    }

    @Test
    void noVfioContainerDeviceMeansTheModulesAreMissing()
    {
        tree.nvme(NVME).driver(NVME, "nvme").group(NVME, 7);
        final VfioSetupException ex = refusal();
        assertEquals(Problem.VFIO_NOT_LOADED, ex.problem());
        assertTrue(ex.getMessage().contains("the vfio modules are not loaded"), ex.getMessage());
        assertTrue(ex.whatToDo().contains("modprobe vfio-pci"), ex.whatToDo());

        tree.mkdirs("sys/module/vfio");
        assertTrue(refusal().getMessage().contains("the vfio module is loaded but"));
    }

    @Test
    void aDeviceOnTheKernelsNvmeDriverGetsTheRebindCommands()
    {
        tree.nvme(NVME).driver(NVME, "nvme").group(NVME, 7).vfioLoaded(7);
        final VfioSetupException ex = refusal();
        assertEquals(Problem.NOT_BOUND_TO_VFIO_PCI, ex.problem());
        assertTrue(ex.getMessage().contains("bound to the kernel's nvme driver"), ex.getMessage());
        final String todo = ex.whatToDo();
        assertTrue(todo.contains("nvmeq setup bind " + NVME), todo);
        assertTrue(todo.contains("echo " + NVME + " > /sys/bus/pci/devices/" + NVME + "/driver/unbind"), todo);
        assertTrue(todo.contains("echo vfio-pci > /sys/bus/pci/devices/" + NVME + "/driver_override"), todo);
        assertTrue(todo.contains("echo " + NVME + " > /sys/bus/pci/drivers_probe"), todo);
        assertTrue(todo.contains("unmount"), todo);
    }

    @Test
    void aDeviceWithoutDriverNeedsNoUnbind()
    {
        tree.nvme(NVME).group(NVME, 7).vfioLoaded(7);
        final VfioSetupException ex = refusal();
        assertEquals(Problem.NOT_BOUND_TO_VFIO_PCI, ex.problem());
        assertTrue(ex.getMessage().contains("bound to no driver"), ex.getMessage());
        assertFalse(ex.whatToDo().contains("/driver/unbind"), ex.whatToDo());
    }

    @Test
    void aDeviceOnAnotherDriverIsNamed()
    {
        tree.nvme(NVME).driver(NVME, "uio_pci_generic").group(NVME, 7).vfioLoaded(7);
        final VfioSetupException ex = refusal();
        assertEquals(Problem.NOT_BOUND_TO_VFIO_PCI, ex.problem());
        assertTrue(ex.getMessage().contains("'uio_pci_generic'"), ex.getMessage());
        assertTrue(ex.whatToDo().contains("/driver/unbind"), ex.whatToDo());
    }

    @Test
    void aBoundDeviceWhoseGroupDeviceIsMissingIsRefused()
    {
        tree.nvme(NVME).driver(NVME, "vfio-pci").group(NVME, 7).vfioLoaded();
        final VfioSetupException ex = refusal();
        assertEquals(Problem.SYSTEM_CALL_FAILED, ex.problem());
        assertTrue(ex.getMessage().contains("/dev/vfio/7"), ex.getMessage());
    }

    @Test
    void aDeviceReadyForVfioGivesItsGroup()
    {
        tree.nvme(NVME).driver(NVME, "vfio-pci").group(NVME, 7).vfioLoaded(7);
        assertEquals(7, VfioPreflight.check(tree.sysfs(), NVME, URI));
    }

    @Test
    void sysfsFactsAreReadFromTheLinks()
    {
        tree.nvme(NVME).driver(NVME, "vfio-pci").group(NVME, 12)
            .function("0000:44:00.1", "0x0c0330").driver("0000:44:00.1", "xhci_hcd").group("0000:44:00.1", 12)
            .function("0000:44:00.2", "0x060400").driver("0000:44:00.2", "pcieport").group("0000:44:00.2", 12)
            .function("0000:44:00.3", "0x0c0330").group("0000:44:00.3", 12)
            .file("sys/module/vfio_iommu_type1/parameters/dma_entry_limit", "4096\n");
        final PciSysfs sysfs = tree.sysfs();
        assertEquals(PciSysfs.NVME_CLASS, sysfs.pciClass(NVME));
        assertTrue(sysfs.isNvme(NVME));
        assertFalse(sysfs.isNvme("0000:44:00.1"));
        assertEquals("vfio-pci", sysfs.driver(NVME));
        assertEquals("", sysfs.driver("0000:44:00.3"));
        assertEquals(12, sysfs.iommuGroup(NVME).getAsInt());
        assertTrue(sysfs.iommuGroup("0000:45:00.0").isEmpty());
        assertEquals(List.of(new PciFunction(NVME, "vfio-pci"), new PciFunction("0000:44:00.1", "xhci_hcd"),
            new PciFunction("0000:44:00.2", "pcieport"), new PciFunction("0000:44:00.3", "")), sysfs.groupMembers(12));
        assertEquals(4096, sysfs.dmaEntryLimit().getAsInt());
        assertEquals(List.of(NVME, "0000:45:00.0"), VfioPreflight.nvmeFunctions(sysfs));
        assertEquals(List.of(NVME), sysfs.nvmeFunctionsBoundTo("vfio-pci"));
        assertEquals(List.of("0000:45:00.0"), sysfs.nvmeFunctionsBoundTo(""));
    }

    @Test
    void aGroupThatIsNotViableNamesTheMembersThatBlockIt()
    {
        tree.nvme(NVME).driver(NVME, "vfio-pci").group(NVME, 12)
            .function("0000:44:00.1", "0x0c0330").driver("0000:44:00.1", "xhci_hcd").group("0000:44:00.1", 12)
            .function("0000:44:00.2", "0x060400").driver("0000:44:00.2", "pcieport").group("0000:44:00.2", 12);
        final VfioSetupException ex =
            SetupProblems.groupNotViable(URI, NVME, 12, tree.sysfs().groupMembers(12));
        assertEquals(Problem.GROUP_NOT_VIABLE, ex.problem());
        final String what = ex.getMessage().substring(0, ex.getMessage().indexOf("What to do"));
        assertTrue(what.contains("0000:44:00.1 (driver xhci_hcd)"), what);
        assertFalse(what.contains("pcieport"), what);
        assertTrue(ex.whatToDo().contains("/sys/kernel/iommu_groups/12/devices"), ex.whatToDo());
        assertTrue(ex.whatToDo().contains("0000:44:00.2 (driver pcieport)"), ex.whatToDo());
    }
}
