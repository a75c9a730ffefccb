package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static io.nvmeq.examples.cli.CliRun.withStdin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data on stdout, status on stderr, {@code -d -} for stdin/stdout, and the device as a positional argument. */
class StreamsAndPositionalDeviceTest
{
    @TempDir
    Path dir;

    private String device()
    {
        return "emu:file:" + dir.resolve("disk.img").toAbsolutePath() + "?size=1m&bs=512";
    }

    @Test
    void readWithDashWritesOnlyTheRawBytesToStdoutAndTheStatusToStderr()
    {
        assertEquals(0, nvmeq("write", device(), "-s", "3", "-c", "2", "--pattern", "0xCD").exitCode());

        final CliRun read = nvmeq("read", device(), "-s", "3", "-z", "1000", "-d", "-");
        assertEquals(0, read.exitCode(), read::toString);
        final byte[] expected = new byte[1000];
        Arrays.fill(expected, (byte)0xCD);
        assertArrayEquals(expected, read.data(), read::toString);
        assertEquals("", read.out(), "nothing but the data on stdout");
        assertTrue(read.err().startsWith("read: 2 blocks (1024 bytes) at LBA 3 of namespace 1 into stdout (1000 bytes): "
            + "Success"), read::toString);
        assertFalse(Files.exists(Path.of("-")), "-d - is stdout, not a file named '-'");
    }

    @Test
    void writeWithDashReadsStdin()
    {
        final byte[] data = new byte[700];
        new SplittableRandom(7).nextBytes(data);
        final CliRun write = withStdin(data, "write", device(), "-s", "10", "-z", "700", "-d", "-");
        assertEquals(0, write.exitCode(), write::toString);
        assertEquals("", write.out(), write::toString);
        assertTrue(write.err().contains("from stdin: Success"), write::toString);

        final CliRun read = nvmeq("read", device(), "-s", "10", "-z", "700", "-d", "-");
        assertArrayEquals(data, read.data(), read::toString);
    }

    @Test
    void writeFromStdinNeedsASizeAndSaysSoBeforeOpeningTheDevice()
    {
        final CliRun run = withStdin(new byte[10], "write", device(), "-s", "0", "-d", "-");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: say how much to transfer"), run::toString);
        assertFalse(Files.exists(dir.resolve("disk.img")), "the device was never opened");
    }

    @Test
    void everyDeviceCommandTakesTheDeviceAsItsFirstArgument()
    {
        final CliRun identify = nvmeq("identify", "emu:memory?size=1m&serial=POS1");
        assertEquals(0, identify.exitCode(), identify::toString);
        assertTrue(identify.out().contains("sn        : POS1"), identify::toString);

        assertEquals(0, nvmeq("write", device(), "-s", "0", "-c", "1", "--pattern", "0x5A").exitCode());
        final CliRun read = nvmeq("read", device(), "-s", "0", "-c", "1");
        assertTrue(read.out().startsWith("00000000  5a 5a"), read::toString);

        final CliRun quickstart = nvmeq("quickstart", "emu:memory?size=4m");
        assertEquals(0, quickstart.exitCode(), quickstart::toString);
        assertTrue(quickstart.out().contains("device      : emu:memory?size=4m"), quickstart::toString);

        final CliRun idCtrl = nvmeq("id-ctrl", "emu:memory?serial=POS2");
        assertTrue(idCtrl.out().contains("sn        : POS2"), idCtrl::toString);
    }

    @Test
    void theSameDeviceTwiceIsFineTwoDifferentOnesAreAUsageError()
    {
        assertEquals(0, nvmeq("identify", "emu:memory", "--device", "emu:memory").exitCode());
        final CliRun run = nvmeq("identify", "emu:memory", "--device", "emu:null");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: two devices given"), run::toString);
    }
}
