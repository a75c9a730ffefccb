package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.dma.DmaMemory;
import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VFIO backend against QEMU's NVMe controller behind an emulated Intel IOMMU, inside the test VM
 * (nvme-hw/vm/run-vm-tests.sh). Elsewhere every test is aborted with the reason.
 */
@Tag("vm")
class VfioDeviceGuestTest
{
    private static final Path DMA_ENTRY_LIMIT = Path.of("/sys/module/vfio_iommu_type1/parameters/dma_entry_limit");

    private static String address;

    @BeforeAll
    static void insideTheVm()
    {
        address = guestNvmeFunction();
    }

    /** The first vfio-bound NVMe function of the test VM; aborts the test anywhere else. */
    static String guestNvmeFunction()
    {
        if (!"1".equals(System.getenv("NVMEQ_IN_VM")))
        {
            Assumptions.abort("runs only inside the nvmeq test VM (nvme-hw/vm/run-vm-tests.sh sets NVMEQ_IN_VM=1)");
        }
        final List<String> bound = PciSysfs.system().nvmeFunctionsBoundTo("vfio-pci");
        if (bound.isEmpty())
        {
            Assumptions.abort("NVMEQ_IN_VM=1 but no NVMe function is bound to vfio-pci");
        }
        return bound.get(0);
    }

    private static int pciCommand() throws IOException
    {
        final byte[] config = Files.readAllBytes(Path.of("/sys/bus/pci/devices", address, "config"));
        return (config[VfioDevice.PCI_COMMAND] & 0xff) | (config[VfioDevice.PCI_COMMAND + 1] & 0xff) << 8;
    }

    @Test
    void opensThroughDevicesAndReadsTheControllerRegisters() throws IOException
    {
        try (NvmeDevice device = Devices.open("nvme://" + address + "/1"))
        {
            final VfioDevice vfio = assertInstanceOf(VfioDevice.class, device);
            assertEquals(address, vfio.pciAddress());
            assertEquals(1, device.defaultNamespace());
            final long cap = device.registers().read64(Registers.CAP);
            assertNotEquals(-1L, cap, "CAP reads all ones: BAR0 is not reached");
            assertTrue(Registers.capMqes(cap) >= 1, "CAP.MQES");
            final int vs = device.registers().read32(Registers.VS);
            assertTrue(vs >>> 16 >= 1, "VS major version: 0x" + Integer.toHexString(vs));
            assertEquals(VfioDevice.PCI_COMMAND_MASTER | VfioDevice.PCI_COMMAND_MEMORY,
                pciCommand() & (VfioDevice.PCI_COMMAND_MASTER | VfioDevice.PCI_COMMAND_MEMORY), "bus master and memory on");
            System.out.printf("%s: CAP 0x%016x, VS 0x%08x, BAR0 %s%n", address, cap, vs, vfio);
        }
    }

    @Test
    void sixtyFourBitRegistersRoundTripAsTwoHalvesWhileDisabled()
    {
        try (NvmeDevice device = Devices.open("nvme://" + address + "/1"))
        {
            assertEquals(0, device.registers().read32(Registers.CC) & 1, "the controller starts disabled");
            final long asq = 0x1_2345_6000L;
            device.registers().write64(Registers.ASQ, asq);
            assertEquals(asq, device.registers().read64(Registers.ASQ));
            assertEquals((int)asq, device.registers().read32(Registers.ASQ));
            assertEquals(1, device.registers().read32(Registers.ASQ + 4));
        }
    }

    @Test
    void theIommuReportsItsRangesAndHonoursType1v2Rules()
    {
        try (NvmeDevice device = Devices.open("nvme://" + address + "/1");
             DmaMemory memory = DmaMemory.allocate(2L << 20))
        {
            final var iommu = device.iommu();
            assertEquals(4096, iommu.pageSize());
            assertFalse(iommu.usableRanges().isEmpty());
            for (final IovaRange range : iommu.usableRanges())
            {
                assertFalse(range.contains(0xfee0_0000L, 4096), "the MSI window is reserved: " + range);
            }
            final long iova = 0x10_0000_0000L;
            iommu.map(memory.address(), 2 * 4096, iova);
            assertEquals(IommuException.Reason.EXISTS,
                assertThrows(IommuException.class, () -> iommu.map(memory.address(), 4096, iova + 4096)).reason());
            assertEquals(IommuException.Reason.INVALID,
                assertThrows(IommuException.class, () -> iommu.map(memory.address(), 4096, 0xfee0_0000L)).reason());
            assertEquals(IommuException.Reason.NOT_MAPPED,
                assertThrows(IommuException.class, () -> iommu.unmap(iova, 4096)).reason(), "splitting is refused");
            assertEquals(2 * 4096, iommu.unmap(iova, 2 * 4096));
            assertEquals(0, iommu.unmap(iova, 2 * 4096), "nothing left to unmap");
        }
    }

    @Test
    void theMappingLimitComesFromTheModuleAndEnospcIsNoSpace() throws IOException
    {
        final String saved = Files.readString(DMA_ENTRY_LIMIT).trim();
        Files.writeString(DMA_ENTRY_LIMIT, "16");
        final List<Long> mapped = new ArrayList<>();
        try (NvmeDevice device = Devices.open("nvme://" + address + "/1");
             DmaMemory memory = DmaMemory.allocate(17 * 4096))
        {
            assertEquals(16, device.iommu().mappingLimit());
            final long base = 0x20_0000_0000L;
            for (int i = 0; i < 16; i++)
            {
                device.iommu().map(memory.address() + i * 4096L, 4096, base + i * 0x10000L);
                mapped.add(base + i * 0x10000L);
            }
            final IommuException ex = assertThrows(IommuException.class,
                () -> device.iommu().map(memory.address() + 16 * 4096L, 4096, base + 16 * 0x10000L));
            assertEquals(IommuException.Reason.NO_SPACE, ex.reason(), ex.getMessage());
            assertEquals(16 * 4096L, device.iommu().unmap(base, 16 * 0x10000L), "one bulk unmap removes all 16 mappings");
        }
        finally
        {
            Files.writeString(DMA_ENTRY_LIMIT, saved);
        }
    }

    @Test
    void theGroupIsExclusiveAndReopensAfterClose()
    {
        final String uri = "nvme://" + address + "/1";
        try (NvmeDevice first = Devices.open(uri))
        {
            final VfioSetupException busy = assertThrows(VfioSetupException.class, () -> Devices.open(uri));
            assertEquals(VfioSetupException.Problem.GROUP_BUSY, busy.problem(), busy.getMessage());
            first.close();
            first.close();
            assertThrows(IllegalStateException.class, () -> first.iommu().map(0, 4096, 0));
        }
        try (NvmeDevice again = Devices.open(uri))
        {
            assertNotEquals(-1, again.registers().read32(Registers.VS));
        }
    }

    @Test
    void aDeviceTakenFromVfioPciIsRefusedWithTheRebindCommands() throws IOException
    {
        final String uri = "nvme://" + address + "/1";
        Files.writeString(Path.of("/sys/bus/pci/devices", address, "driver", "unbind"), address);
        try
        {
            final VfioSetupException ex = assertThrows(VfioSetupException.class, () -> Devices.open(uri));
            assertEquals(VfioSetupException.Problem.NOT_BOUND_TO_VFIO_PCI, ex.problem(), ex.getMessage());
            assertTrue(ex.getMessage().contains(address + " is bound to no driver"), ex.getMessage());
        }
        finally
        {
            final List<NvmeSetup.Action> actions = NvmeSetup.system().bindToVfio(address, false);
            assertEquals(2, actions.size(), "no driver to unbind: override and probe only");
        }
        final NvmeFunctionInfo function = NvmeSetup.system().describe(address);
        assertTrue(function.boundToVfio(), function.toString());
        assertTrue(function.iommuGroup().isPresent(), function.toString());
        try (NvmeDevice again = Devices.open(uri))
        {
            assertNotEquals(-1, again.registers().read32(Registers.VS));
        }
    }

    /**
     * MSI-X through VFIO: an I/O CQ created with IEN = 1 signals its vector's eventfd when QEMU's NVMe
     * posts to it (VFIO_DEVICE_SET_IRQS routed the vector; the emulated IOMMU remaps the interrupt); a CQ
     * with IEN = 0 signals nothing; two CQs sharing a vector both signal it; a completion that lands
     * after the host's last look and before its wait leaves the eventfd readable.
     */
    @Test
    void completionQueuesWithIenSignalTheirMsixVectorsEventFd()
    {
        final long generous = TimeUnit.SECONDS.toNanos(60);
        final EventFd shared;
        try (NvmeDevice device = Devices.open("nvme://" + address + "/1"))
        {
            final int vectors = device.interrupts().count();
            System.out.printf("%s: %d MSI-X vectors%n", address, vectors);
            assertTrue(vectors >= 3, "QEMU's NVMe has one vector per queue pair and one for admin: " + vectors);
            assertThrows(IllegalArgumentException.class, () -> device.interrupts().eventFd(vectors));
            shared = device.interrupts().eventFd(1);
            final EventFd quiet = device.interrupts().eventFd(2);
            try (RawGuestHost host = new RawGuestHost(device))
            {
                final RawGuestHost.Queue first = host.createQueuePair(1, 1, true);
                final RawGuestHost.Queue polled = host.createQueuePair(2, 2, false);
                final RawGuestHost.Queue second = host.createQueuePair(3, 1, true);
                shared.drain();
                quiet.drain();

                host.submit(first, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
                assertTrue(shared.await(generous), "IEN = 1: the completion raised vector 1");
                final int[] completion = host.reap(first, generous);
                assertNotNull(completion, "woken, and the completion is in the ring");
                assertEquals(0, completion[1]);
                shared.drain();

                host.submit(polled, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
                assertNotNull(host.reap(polled, generous));
                assertFalse(quiet.await(TimeUnit.MILLISECONDS.toNanos(500)), "IEN = 0: no interrupt on vector 2");

                host.submit(second, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
                assertTrue(shared.await(generous), "queue 3 shares vector 1 and raises it too");
                assertNotNull(host.reap(second, generous));
                shared.drain();

                // The last look finds nothing, the completion lands, then the host waits: readable at once.
                assertFalse(host.completionVisible(first));
                host.submit(first, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
                assertNotNull(host.reap(first, generous));
                assertTrue(shared.await(generous), "the signal waits in the counter for the wait that comes late");
            }
        }
        assertTrue(shared.isClosed(), "closing the device disables MSI-X and closes the eventfds");
        try (NvmeDevice again = Devices.open("nvme://" + address + "/1"))
        {
            assertTrue(again.interrupts().eventFd(1).drain() >= 0, "MSI-X can be routed again after close");
        }
    }
}
