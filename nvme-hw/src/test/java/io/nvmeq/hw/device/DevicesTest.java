package io.nvmeq.hw.device;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

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
    void nvmeIsUnavailableAndSaysWhetherVfioExistsHere()
    {
        final DeviceUnavailableException ex =
            assertThrows(DeviceUnavailableException.class, () -> Devices.open("nvme://0000:44:00.0/1"));
        assertEquals("nvme://0000:44:00.0/1", ex.uri());
        assertTrue(ex.getMessage().contains("VFIO backend"), ex.getMessage());
        final String vfio = Files.isDirectory(Path.of("/dev/vfio")) ?
            "/dev/vfio exists on this machine" : "/dev/vfio does not exist on this machine";
        assertTrue(ex.getMessage().contains(vfio), ex.getMessage());
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
