package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatedUri;
import io.nvmeq.hw.emu.EmulatorConfig;
import io.nvmeq.hw.vfio.VfioUri;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceUriTest
{
    private static EmulatorConfig emu(final String uri)
    {
        return assertInstanceOf(EmulatedUri.class, DeviceUri.parse(uri)).config();
    }

    private static BadDeviceUriException bad(final String uri)
    {
        return assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse(uri));
    }

    private static void badBecause(final String uri, final String problemPart)
    {
        final BadDeviceUriException ex = bad(uri);
        assertTrue(ex.problem().contains(problemPart), "problem '" + ex.problem() + "' lacks '" + problemPart + "'");
        assertEquals(uri, ex.uri());
        assertTrue(ex.getMessage().contains(BadDeviceUriException.acceptedForms()), "no accepted forms shown");
        assertTrue(ex.getMessage().startsWith("bad device URI '" + uri + "': "), ex.getMessage());
    }

    // ---- emu: good ----

    @ParameterizedTest
    @ValueSource(strings = {"emu:", "emu:memory"})
    void emuAloneOrMemoryWithoutParametersIsTheDefaultConfig(final String uri)
    {
        assertEquals(EmulatorConfig.builder().build(), emu(uri));
    }

    @Test
    void theDefaultUriIsA64MibMemoryController()
    {
        final EmulatorConfig config = emu(DeviceUri.DEFAULT);
        assertEquals(EmulatorConfig.Backend.MEMORY, config.backend());
        assertEquals(64L << 20, config.namespaceBytes());
        assertEquals(1, config.namespaces());
    }

    @Test
    void nullBackend()
    {
        assertEquals(EmulatorConfig.Backend.NULL, emu("emu:null").backend());
        assertEquals(EmulatorConfig.Backend.NULL, emu("emu:null?size=1g").backend());
    }

    @Test
    void fileBackendWithAbsolutePath()
    {
        final EmulatorConfig config = emu("emu:file:/var/tmp/nvmeq.img?size=128m&namespaces=2");
        assertEquals(EmulatorConfig.Backend.FILE, config.backend());
        assertEquals(Path.of("/var/tmp/nvmeq.img"), config.file());
        assertEquals(128L << 20, config.namespaceBytes());
        assertEquals(2, config.namespaces());
        assertNull(emu("emu:memory").file());
    }

    @Test
    void everyParameter()
    {
        final EmulatorConfig config = emu("emu:memory?size=1g&bs=4096&namespaces=3&queues=8&entries=256&mdts=5" +
            "&serial=SN42&model=Test%20Model&mappings=1000");
        assertEquals(1L << 30, config.namespaceBytes());
        assertEquals(4096, config.blockSize());
        assertEquals(3, config.namespaces());
        assertEquals(8, config.maxIoQueuePairs());
        assertEquals(256, config.maxQueueEntries());
        assertEquals(5, config.mdts());
        assertEquals("SN42", config.serial());
        assertEquals("Test Model", config.model());
        assertEquals(1000, config.mappingLimit());
        assertEquals(EmulatorConfig.DEFAULT_IOVA_LIMIT, config.iovaLimit());
    }

    @ParameterizedTest
    @CsvSource({
        "4096, 4096",
        "8k, 8192",
        "8K, 8192",
        "64m, 67108864",
        "2G, 2147483648",
        "1t, 1099511627776"})
    void sizesTakeBinarySuffixes(final String size, final long bytes)
    {
        assertEquals(bytes, emu("emu:memory?size=" + size).namespaceBytes());
    }

    @Test
    void parameterOrderDoesNotMatter()
    {
        assertEquals(emu("emu:?bs=4096&size=1m"), emu("emu:memory?size=1m&bs=4096"));
    }

    @Test
    void schemeIsCaseInsensitive()
    {
        assertEquals(emu("emu:memory"), emu("EMU:memory"));
    }

    // ---- emu: bad ----

    @Test
    void unknownBackend()
    {
        badBecause("emu:disk", "unknown emulated backend 'disk'");
        badBecause("emu:Memory", "unknown emulated backend 'Memory'");
    }

    @Test
    void fileNeedsAnAbsolutePath()
    {
        badBecause("emu:file:", "path is missing");
        badBecause("emu:file:image.img", "not absolute");
        badBecause("emu:file:?size=1m", "path is missing");
        badBecause("emu:file:/tmp/a\u0000b", "not a valid path");
    }

    @Test
    void unknownKeyNamesItAndTheKnownOnes()
    {
        badBecause("emu:memory?sise=64m", "unknown parameter 'sise': known are size, bs, namespaces");
        badBecause("emu:memory?Size=64m", "unknown parameter 'Size'");
    }

    @Test
    void duplicateKey()
    {
        badBecause("emu:memory?size=1m&size=2m", "'size' is given twice");
    }

    @Test
    void malformedQueries()
    {
        badBecause("emu:memory?", "nothing after '?'");
        badBecause("emu:memory?size", "'size' is not key=value");
        badBecause("emu:memory?=5", "'=5' is not key=value");
        badBecause("emu:memory?size=", "'size' has no value");
        badBecause("emu:memory?size=1m&", "stray '&'");
        badBecause("emu:memory?size=1m&&bs=512", "stray '&'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+5", "1.5", "0x10", " 5", "5 ", "ten", "\u0665"})
    void badNumbers(final String value)
    {
        badBecause("emu:memory?queues=" + value, "queues=" + value + " is not a decimal number");
    }

    @Test
    void numbersThatOverflow()
    {
        badBecause("emu:memory?queues=4294967296", "too large");
        badBecause("emu:memory?size=99999999999999999999", "too large");
        badBecause("emu:memory?size=16777216t", "too large");
    }

    @Test
    void badSizes()
    {
        badBecause("emu:memory?size=0", "must be positive");
        badBecause("emu:memory?size=0m", "must be positive");
        badBecause("emu:memory?size=m", "is not a number");
        badBecause("emu:memory?size=64mb", "not a decimal number");
        badBecause("emu:memory?size=1000", "not a positive multiple of the block size 512");
        badBecause("emu:memory?size=6k&bs=4096", "not a positive multiple of the block size 4096");
    }

    @Test
    void blockSizeIs512Or4096()
    {
        badBecause("emu:memory?bs=1024", "bs=1024: the block size must be 512 or 4096");
        badBecause("emu:memory?bs=0", "512 or 4096");
    }

    @Test
    void rangesCheckedByTheConfigAreReportedAsBadUris()
    {
        badBecause("emu:memory?namespaces=0", "namespaces must be 1..1024");
        badBecause("emu:memory?queues=0", "I/O queue pairs must be 1..65535");
        badBecause("emu:memory?entries=1", "queue entries must be 2..65536");
        badBecause("emu:memory?mdts=16", "mdts must be 0..15");
        badBecause("emu:memory?mappings=0", "mapping limit must be positive");
    }

    @Test
    void identifyTextsAreShortPrintableAscii()
    {
        assertEquals("12345678901234567890", emu("emu:memory?serial=12345678901234567890").serial());
        badBecause("emu:memory?serial=123456789012345678901", "at most 20 characters");
        badBecause("emu:memory?model=" + "m".repeat(41), "at most 40 characters");
        badBecause("emu:memory?model=caf\u00e9", "printable ASCII");
        badBecause("emu:memory?model=a%0Ab", "printable ASCII");
        badBecause("emu:memory?serial=50%", "two hex digits");
        badBecause("emu:memory?serial=50%zz", "two hex digits");
    }

    // ---- nvme:// ----

    @Test
    void vfioTarget()
    {
        final VfioUri vfio = assertInstanceOf(VfioUri.class, DeviceUri.parse("nvme://0000:44:00.0/1"));
        assertEquals(new VfioUri(0, 0x44, 0, 0, 1), vfio);
        assertEquals("0000:44:00.0", vfio.pciAddress());
        assertEquals("nvme://0000:44:00.0/1", vfio.uri());
    }

    @Test
    void vfioHexIsCaseInsensitiveAndNormalisedToLowerCase()
    {
        final VfioUri vfio = (VfioUri)DeviceUri.parse("nvme://ABCD:eF:1f.7/4294");
        assertEquals(new VfioUri(0xabcd, 0xef, 0x1f, 7, 4294), vfio);
        assertEquals("abcd:ef:1f.7", vfio.pciAddress());
    }

    @Test
    void vfioNamespaceDefaultsToOne()
    {
        assertEquals(new VfioUri(0, 3, 0, 0, 1), DeviceUri.parse("nvme://0000:03:00.0"));
    }

    @Test
    void vfioBadAddresses()
    {
        badBecause("nvme:0000:44:00.0/1", "must be followed by //");
        badBecause("nvme://44:00.0/1", "has no domain: write 0000:44:00.0");
        badBecause("nvme://0000:44:00/1", "has no function");
        badBecause("nvme://0000:44/1", "is not DDDD:BB:DD.F");
        badBecause("nvme://0000:00:44:00.0/1", "is not DDDD:BB:DD.F");
        badBecause("nvme://000:44:00.0/1", "PCI domain '000' must be exactly 4 hex digits");
        badBecause("nvme://0000:4:00.0/1", "PCI bus '4' must be exactly 2 hex digits");
        badBecause("nvme://0000:4g:00.0/1", "PCI bus '4g' is not hexadecimal");
        badBecause("nvme://0000:44:20.0/1", "PCI device '20' is above 1f");
        badBecause("nvme://0000:44:00.8/1", "PCI function '8' is above 7");
        badBecause("nvme://0000:44:00.00/1", "PCI function '00' must be exactly 1 hex digit");
        badBecause("nvme://0000:44:00.0/0", "namespace ids start at 1");
        badBecause("nvme://0000:44:00.0/", "namespace '' after the PCI address is not a number");
        badBecause("nvme://0000:44:00.0/1/2", "namespace '1/2'");
        badBecause("nvme://0000:44:00.0/x", "not a decimal number");
        badBecause("nvme://0000:44:00.0/2147483648", "out of range");
        badBecause("nvme://", "is not DDDD:BB:DD.F");
    }

    // ---- posix: ----

    @Test
    void posixPath()
    {
        assertEquals(new DeviceUri.Posix(Path.of("/dev/nvme0n1")), DeviceUri.parse("posix:/dev/nvme0n1"));
        badBecause("posix:", "path is missing");
        badBecause("posix:data.bin", "not absolute");
    }

    // ---- anything else ----

    @Test
    void missingOrUnknownScheme()
    {
        badBecause("", "no device URI given");
        assertEquals("null", bad(null).uri());
        badBecause("memory", "no scheme");
        badBecause(":memory", "no scheme");
        badBecause("vfio://0000:44:00.0/1", "unknown scheme 'vfio'");
        badBecause(" emu:memory", "unknown scheme ' emu'");
    }

    @Test
    void badUriIsAnIllegalArgumentException()
    {
        assertInstanceOf(IllegalArgumentException.class, bad("nope:"));
    }
}
