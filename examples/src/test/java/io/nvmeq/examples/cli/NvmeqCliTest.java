package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nvmeq.examples.bench.Json;

/**
 * The command line run in-process against the emulated controller, through the same facade an application uses.
 * Two commands see the same data only on an {@code emu:file:} device, which is what these tests use for it.
 */
class NvmeqCliTest
{
    /** 1 MiB namespace of 512-byte blocks: 2048 blocks, LBAs 0..2047. */
    private static final long BLOCKS = 2048;

    @TempDir
    Path dir;

    private String fileDevice()
    {
        return "emu:file:" + dir.resolve("disk.img").toAbsolutePath() + "?size=1m&bs=512";
    }

    @Test
    void identifyShowsTheControllerAndNamespaceAsTheUriConfiguredThem()
    {
        final CliRun run = nvmeq("identify", "--device", "emu:memory?size=2m&bs=4096&serial=CLITEST42&model=Model-X");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("sn        : CLITEST42"), run::toString);
        assertTrue(run.out().contains("mn        : Model-X"), run::toString);
        assertTrue(run.out().contains("NVME Identify Namespace 1:"), run::toString);
        assertTrue(run.out().contains("nsze    : 0x200\n") || run.out().contains("nsze    : 0x200\r\n"), run::toString);
        assertTrue(run.out().contains("lbads:12"), run::toString);
        assertTrue(run.out().contains("(in use)"), run::toString);
        assertTrue(run.err().isEmpty(), run::toString);
    }

    @Test
    void identifyAsJsonIsOneObjectWithControllerNamespacesAndDriverStateApart()
    {
        final CliRun run = nvmeq(
            "identify", "--device", "emu:memory?size=1m&namespaces=2&serial=JSON1", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object json = Json.parse(run.out().trim());
        assertEquals("JSON1               ", Json.at(json, "id_ctrl", "sn"), run::toString);
        assertEquals(2L, ((Number)Json.at(json, "id_ctrl", "nn")).longValue(), run::toString);
        assertEquals(1L, ((Number)Json.at(json, "namespaces", 0, "nsid")).longValue(), run::toString);
        assertEquals(2048L, ((Number)Json.at(json, "namespaces", 1, "id_ns", "nsze")).longValue(), run::toString);
        assertEquals(2L, ((Number)Json.at(json, "namespaces", 1, "nsid")).longValue(), run::toString);
        // The driver's own state is an object of its own, not mixed into nvme-cli's id-ctrl object.
        assertEquals("emu:memory?size=1m&namespaces=2&serial=JSON1", Json.at(json, "nvmeq", "device"), run::toString);
        assertFalse(run.out().contains("\"id_ctrl\":{\"max_queue_entries\""), run::toString);
        assertFalse(((Map<?, ?>)Json.at(json, "id_ctrl")).containsKey("io_queue_pairs"), run::toString);
    }

    @Test
    void identifyOneNamespaceShowsOnlyThatOne()
    {
        final CliRun run = nvmeq("identify", "--device", "emu:memory?size=1m&namespaces=2", "--namespace", "2");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("NVME Identify Namespace 2:"), run::toString);
        assertFalse(run.out().contains("NVME Identify Namespace 1:"), run::toString);
    }

    @Test
    void whatOneCommandWritesAnotherReadsBackByteExact() throws IOException
    {
        // Blocks 100..110 hold 0xEE first, so that the test can see what the data write touched and what not.
        assertEquals(0, nvmeq("write", "--device", fileDevice(), "-s", "100", "-c", "11", "--pattern", "0xEE")
            .exitCode());

        // 5000 bytes: nine whole blocks and a short tenth, from LBA 100.
        final byte[] data = new byte[5000];
        new SplittableRandom(99).nextBytes(data);
        final Path in = Files.write(dir.resolve("in.bin"), data);
        final Path out = dir.resolve("out.bin");

        final CliRun write = nvmeq("write", "--device", fileDevice(), "-s", "100", "--data", in.toString());
        assertEquals(0, write.exitCode(), write::toString);
        assertTrue(write.err().contains("10 blocks"), write::toString);
        assertEquals("", write.out(), "the status line goes to stderr");

        final CliRun read = nvmeq(
            "read", "--device", fileDevice(), "--start-block", "100", "--data-size", "5000", "--data", out.toString());
        assertEquals(0, read.exitCode(), read::toString);
        assertArrayEquals(data, Files.readAllBytes(out));

        // Block 109 holds the last 392 data bytes, then zero padding; block 110 still holds the 0xEE pattern.
        final CliRun tail = nvmeq("read", "--device", fileDevice(), "-s", "109", "-c", "2");
        assertEquals(0, tail.exitCode(), tail::toString);
        assertTrue(tail.out().contains(
            "00000190  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|"), tail::toString);
        assertTrue(tail.out().contains(
            "00000200  ee ee ee ee ee ee ee ee  ee ee ee ee ee ee ee ee  |................|"), tail::toString);
        assertTrue(tail.out().endsWith("00000400" + System.lineSeparator()), tail::toString);
    }

    @Test
    void aPatternWrittenWithManyCommandsReadsBackAsHex() throws IOException
    {
        // 1000 blocks is more than one command carries, so this goes through several commands in flight.
        final CliRun write = nvmeq(
            "write", "--device", fileDevice(), "-s", "0x10", "-c", "1000", "--pattern", "0xA5", "--fua");
        assertEquals(0, write.exitCode(), write::toString);
        assertTrue(write.err().contains("with FUA"), write::toString);

        final CliRun read = nvmeq("read", "--device", fileDevice(), "-s", "16", "-c", "1000");
        assertEquals(0, read.exitCode(), read::toString);
        final String expected = String.join(System.lineSeparator(),
            "00000000  a5 a5 a5 a5 a5 a5 a5 a5  a5 a5 a5 a5 a5 a5 a5 a5  |................|",
            "*",
            String.format("%08x", 1000 * 512),
            "");
        assertEquals(expected, read.out());

        final CliRun before = nvmeq("read", "--device", fileDevice(), "-s", "15", "-z", "16");
        assertTrue(before.out().startsWith("00000000  00 00 00 00"), before::toString);
    }

    @Test
    void readingPastTheEndIsRefusedWithTheDriversTypedError()
    {
        final CliRun run = nvmeq("read", "--device", fileDevice(), "-s", Long.toString(BLOCKS), "-c", "1");
        assertNotEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().isEmpty(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: "), run::toString);
        assertTrue(run.err().contains("LBA Out of Range"), run::toString);
        assertEquals(1, run.err().lines().count(), run::toString);
    }

    @Test
    void aFailedReadLeavesAnExistingOutputFileAsItWas() throws IOException
    {
        final Path out = Files.writeString(dir.resolve("keep.bin"), "keep");
        final CliRun run = nvmeq(
            "read", "--device", fileDevice(), "-s", Long.toString(BLOCKS - 1), "-c", "2", "-d", out.toString());
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertEquals("keep", Files.readString(out));
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".part")).toList());
        }
    }

    @Test
    void aWriteThatRunsPastTheEndWritesNothingAtAll()
    {
        assertEquals(0, nvmeq("write", "--device", fileDevice(), "-s", "1000", "-c", "1048", "--pattern", "0x11")
            .exitCode());

        final CliRun run = nvmeq("write", "--device", fileDevice(), "-s", "1000", "-c", "1049", "--pattern", "0x22");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: Write refused: LBA Out of Range: blocks 1000..2048"), run::toString);

        final CliRun read = nvmeq("read", "--device", fileDevice(), "-s", "1000", "-c", "1048");
        assertTrue(read.out().startsWith("00000000  11 11 11 11"), read::toString);
        assertEquals(3, read.out().lines().count(), read::toString);
    }

    @Test
    void aBadDeviceUriSaysWhatIsWrongThenListsTheAcceptedForms()
    {
        final CliRun run = nvmeq("identify", "--device", "floppy:/dev/fd0");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        final String firstLine = run.err().lines().findFirst().orElse("");
        assertTrue(firstLine.startsWith("nvmeq: bad device URI 'floppy:/dev/fd0': unknown scheme"), run::toString);
        assertTrue(run.err().contains("emu:file:/abs/path"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    @Test
    void aBadEmulatorParameterNamesTheParameter()
    {
        final CliRun run = nvmeq("identify", "--device", "emu:memory?size=64m&colour=blue");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: bad device URI"), run::toString);
        assertTrue(run.err().contains("unknown parameter 'colour'"), run::toString);
    }

    @Test
    void aVfioDeviceThatIsNotAvailableIsATypedErrorNotAStackTrace()
    {
        final CliRun run = nvmeq("identify", "--device", "nvme://0000:44:00.0/1");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: cannot open device 'nvme://0000:44:00.0/1'"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    @Test
    void aMissingDeviceIsAUsageError()
    {
        final CliRun run = nvmeq("read", "-s", "0", "-c", "1");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--device"), run::toString);
    }

    @Test
    void aMissingDataFileChangesNothingAndSaysWhichFile()
    {
        final CliRun run =
            nvmeq("write", "--device", fileDevice(), "-s", "0", "--data", dir.resolve("nope").toString());
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: No such file: "), run::toString);
    }

    @Test
    void quickstartWritesFlushesReadsBackAndVerifies()
    {
        final CliRun run = nvmeq("quickstart");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("device      : emu:memory?size=64m"), run::toString);
        assertTrue(run.out().contains("wrote       : 8192 blocks (4 MiB)"), run::toString);
        assertTrue(run.out().contains("read back   : 8192 blocks (4 MiB)"), run::toString);
        assertTrue(run.out().contains("verified    : OK"), run::toString);
    }

    @Test
    void quickstartDealsItsCommandsOverEveryQueuePair()
    {
        // 4 MiB in 64 KiB commands: 64 commands, round-robin over three queue pairs.
        final CliRun run = nvmeq("quickstart", "--device", "emu:memory?size=4m", "--queue-pairs", "3");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("queue pairs : 3, commands per queue pair: 22, 21, 21"), run::toString);
        assertTrue(run.out().contains("verified    : OK"), run::toString);
    }
}
