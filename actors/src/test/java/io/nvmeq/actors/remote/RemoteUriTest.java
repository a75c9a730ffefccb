package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUri;
import org.junit.jupiter.api.Test;

/** The remote:// grammar, in the device-URI grammar every command checks, and the facade opening it with no server there. */
class RemoteUriTest
{
    @Test
    void parsesHostPortSerialAndNamespace()
    {
        assertEquals(new RemoteUri("10.0.0.5", 25520, "S123", 7), DeviceUri.parse("remote://10.0.0.5:25520/S123/7"));
        assertEquals(new RemoteUri("[::1]", 1, "A-B", 1), DeviceUri.parse("REMOTE://[::1]:1/A-B/1"));
        assertTrue(RemoteUri.isRemote("Remote://x"));
        assertFalse(RemoteUri.isRemote("emu:memory"));
        assertEquals("nvmeq-namespace:S123:7", RemoteUri.of("remote://h:2/S123/7").serviceName());
    }

    @Test
    void refusesWhatIsNotAFullRemoteUriNamingThePart()
    {
        for (final String bad : new String[] {"remote:", "remote://h/S/1", "remote://h:0/S/1", "remote://h:70000/S/1",
            "remote://h:1/S", "remote://h:1/S/0", "remote://h:1/S/x", "remote://h:1//1", "remote://h:1/S/99999999999"})
        {
            final BadDeviceUriException ex = assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse(bad), bad);
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
        final BadDeviceUriException unknown = assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse("nope:x"));
        assertTrue(unknown.getMessage().contains("remote://HOST:PORT/SERIAL/NSID"), "the forms list names remote://: " +
            unknown.getMessage());
    }

    @Test
    void theFacadeOpeningARemoteUriWithNoServerThereFailsTyped() throws Exception
    {
        final String uri = "remote://127.0.0.1:" + ServerProcess.freePort() + "/NOBODY/1";
        final Config config = ConfigFactory.parseString("nvmeq.remote.connect-timeout = 2s")
            .withFallback(ConfigFactory.load());
        final RemoteUnavailableException ex = assertThrows(RemoteUnavailableException.class,
            () -> Nvmeq.open(NvmeqSettings.load().withDevice(uri), config));
        assertTrue(ex.getMessage().contains("NOBODY"), ex.getMessage());
    }
}
