package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.vfio.VfioSetupException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The open sequence on a machine that passes every sysfs check but whose /dev/vfio/vfio is an ordinary
 * file: the first VFIO ioctl fails, the failure is typed, and the opened file descriptor is closed.
 */
class VfioDeviceTest
{
    private static final String NVME = "0000:44:00.0";
    private static final String URI = "nvme://0000:44:00.0/1";

    @TempDir
    Path root;

    /**
     * The descriptors this process holds open on files under {@code dir}. Counting all of them would race the
     * JVM's own threads (the JIT and the test runner open and close jars and sockets at any time).
     */
    private static long openFdsUnder(final Path dir) throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.filter(fd -> target(fd).startsWith(dir)).count();
        }
    }

    private static Path target(final Path fd)
    {
        try
        {
            return Files.readSymbolicLink(fd);
        }
        catch (final IOException ex)
        {
            return Path.of("/");    // closed since it was listed
        }
    }

    @Test
    void aContainerThatIsNotVfioFailsTypedAndLeaksNoDescriptor() throws IOException
    {
        final FakeSysfs tree = new FakeSysfs(root).nvme(NVME).driver(NVME, "vfio-pci").group(NVME, 7).vfioLoaded(7);
        final VfioUri target = (VfioUri)DeviceUri.parse(URI);
        final VfioSetupException ex =
            assertThrows(VfioSetupException.class, () -> VfioDevice.open(target, URI, tree.sysfs()));
        assertEquals(Problem.SYSTEM_CALL_FAILED, ex.problem());
        assertTrue(ex.getMessage().contains("VFIO_GET_API_VERSION on " + root.resolve("dev/vfio/vfio")),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("errno 25"), ex.getMessage());
        assertEquals(0, openFdsUnder(root.toRealPath()), "descriptors left open on the fake /dev/vfio");
    }

    @Test
    void theRealSystemWithoutTheDeviceRefusesBeforeAnyVfioCall()
    {
        final VfioUri target = (VfioUri)DeviceUri.parse("nvme://ffff:ff:1f.7/1");
        final VfioSetupException ex =
            assertThrows(VfioSetupException.class, () -> VfioDevice.open(target, target.uri()));
        assertEquals(Problem.DEVICE_NOT_FOUND, ex.problem());
    }
}
