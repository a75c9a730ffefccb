package io.nvmeq.hw.device;

import io.nvmeq.hw.vfio.VfioSetupException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesTest
{
    @Test
    void emuOpensAnEmulatedControllerUnderTheGivenUri()
    {
        final String uri = "emu:memory?size=1m&queues=2";
        try (NvmeDevice device = Devices.open(uri))
        {
            assertEquals(uri, device.uri());
            assertEquals(1, device.defaultNamespace());
        }
    }

    @Test
    void nvmeGoesThroughVfioAndNamesTheMissingDevice()
    {
        // No machine has PCI domain ffff: the VFIO backend's first check refuses it, before any VFIO call.
        final VfioSetupException ex =
            assertThrows(VfioSetupException.class, () -> Devices.open("nvme://ffff:ff:1f.7/1"));
        assertEquals("nvme://ffff:ff:1f.7/1", ex.uri());
        assertEquals(VfioSetupException.Problem.DEVICE_NOT_FOUND, ex.problem());
        assertTrue(ex.getMessage().contains("no PCI function ffff:ff:1f.7"), ex.getMessage());
        assertTrue(ex.whatToDo().contains("lspci -D"), ex.whatToDo());
    }

    @Test
    void posixIsNotAnNvmeDevice()
    {
        final BadDeviceUriException ex =
            assertThrows(BadDeviceUriException.class, () -> Devices.open("posix:/dev/null"));
        assertTrue(ex.problem().contains("not an NVMe device"), ex.problem());
    }

    @Test
    void badUrisAreRefusedBeforeAnythingOpens()
    {
        assertThrows(BadDeviceUriException.class, () -> Devices.open("emu:memory?size=1m&size=1m"));
        assertThrows(BadDeviceUriException.class, () -> Devices.open("nvme://0000:44:00.9/1"));
    }
}
