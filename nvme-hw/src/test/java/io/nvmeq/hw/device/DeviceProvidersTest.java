package io.nvmeq.hw.device;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.emu.EmulatorDeviceProvider;
import io.nvmeq.hw.vfio.VfioDeviceProvider;
import io.nvmeq.hw.vfio.VfioUri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The providers come from META-INF/services, and the errors list what each of them accepts. */
class DeviceProvidersTest
{
    @Test
    void theThreeProvidersOfThisModuleAreFoundByScheme()
    {
        assertEquals(List.of("emu", "nvme", "posix"), DeviceProviders.all().stream().map(DeviceProvider::scheme).toList());
        assertInstanceOf(EmulatorDeviceProvider.class, DeviceProviders.forScheme("EMU"));
        assertInstanceOf(VfioDeviceProvider.class, DeviceProviders.forScheme("nvme"));
        assertInstanceOf(PosixProvider.class, DeviceProviders.forScheme("posix"));
        assertNull(DeviceProviders.forScheme("vfio"));
    }

    @Test
    void eachKindOfUriNamesTheSchemeOfItsProvider()
    {
        assertEquals("emu", assertInstanceOf(EmulatedUri.class, DeviceUri.parse("emu:null")).scheme());
        assertEquals("nvme", assertInstanceOf(VfioUri.class, DeviceUri.parse("nvme://0000:44:00.0/1")).scheme());
        assertEquals("posix", assertInstanceOf(DeviceUri.Posix.class, DeviceUri.parse("posix:/dev/null")).scheme());
    }

    @Test
    void theAcceptedFormsAreEveryProvidersFormsInSchemeOrder()
    {
        final String forms = BadDeviceUriException.acceptedForms();
        assertTrue(forms.startsWith("accepted device URIs:"), forms);
        int from = 0;
        for (final DeviceProvider provider : DeviceProviders.all())
        {
            for (final String line : provider.forms())
            {
                final int at = forms.indexOf(line, from);
                assertTrue(at > from, "missing or out of order: " + line);
                from = at;
            }
        }
    }

    @Test
    void aUriWithoutAKnownSchemeNamesTheSchemesThereAre()
    {
        final BadDeviceUriException none = assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse("memory"));
        assertEquals("no scheme: a device URI starts with emu:, nvme:// or posix:", none.problem());
        final BadDeviceUriException unknown = assertThrows(BadDeviceUriException.class, () -> Devices.open("spdk:x"));
        assertEquals("unknown scheme 'spdk'", unknown.problem());
        assertTrue(unknown.getMessage().endsWith(BadDeviceUriException.acceptedForms()), unknown.getMessage());
    }
}
