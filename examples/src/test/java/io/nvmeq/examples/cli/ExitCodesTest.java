package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exit statuses the README documents: 2 for every bad command line or device URI, in every command, decided
 * before the device is opened; 1 with one line (and the operating system's reason) when bring-up fails.
 */
class ExitCodesTest
{
    @TempDir
    static Path dir;

    /** An image that does not exist: a command that opened the device would create it. */
    private static String untouchedImage()
    {
        return "emu:file:" + dir.resolve("never.img").toAbsolutePath() + "?size=1m";
    }

    static Stream<List<String>> badCommandLines()
    {
        final String image = untouchedImage();
        return Stream.of(
            List.of("read", image, "-s", "0"),
            List.of("read", image, "-s", "0", "-c", "0"),
            List.of("read", image, "-s", "-1", "-c", "1"),
            List.of("read", image, "-s", "0", "-z", "0"),
            List.of("read", image, "-s", "0", "-c", "1", "-n", "0"),
            List.of("write", image, "-s", "0", "-c", "0", "--pattern", "0xAB"),
            List.of("write", image, "-s", "-1", "-c", "1", "--pattern", "0xAB"),
            List.of("write", image, "-s", "0", "-z", "0", "--pattern", "0xAB"),
            List.of("write", image, "-s", "0", "-c", "1", "-n", "0", "--pattern", "0xAB"),
            List.of("write", image, "-s", "0", "-c", "1"),
            List.of("identify", image, "-n", "0"),
            List.of("identify", "floppy:/dev/fd0"),
            List.of("read", "emu:memory?colour=blue", "-s", "0", "-c", "1"),
            List.of("write", "nvme://0000:00:03.0/0", "-s", "0", "-c", "1", "--pattern", "0xAB"),
            List.of("faults", "--device", "floppy:/dev/fd0"),
            List.of("quickstart", "floppy:/dev/fd0"),
            List.of("id-ns", image, "-n", "0"),
            List.of("setup", "hugepages", "--", "-1"),
            List.of("identify"),
            List.of("read", "--no-such-option"),
            // A device that cannot be opened: checked first, these are usage errors, not "cannot open device".
            List.of("read", "nvme://0000:ff:1f.7/1", "-s", "0"),
            List.of("write", "nvme://0000:ff:1f.7/1", "-s", "0", "-c", "0", "--pattern", "0xAB"),
            List.of("read", "--device", "nvme://0000:ff:1f.7/1", "-s", "0", "-c", "1", "-n", "0"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void aBadCommandLineExitsTwoWithOneReasonAndOpensNothing(final List<String> args) throws IOException
    {
        final CliRun run = nvmeq(args.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: "), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
        assertEquals("", run.out(), run::toString);
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(), files.toList(), "a refused command creates no file");
        }
    }

    @Test
    void anEmulatedImageThatIsADirectorySaysSoOnOneLine() throws IOException
    {
        final Path directory = Files.createDirectories(dir.resolve("a-directory"));
        try
        {
            final CliRun run = nvmeq("identify", "emu:file:" + directory.toAbsolutePath());
            assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
            assertEquals(1, run.err().lines().count(), run::toString);
            assertTrue(run.err().startsWith("nvmeq: "), run::toString);
            // The reason, whoever gives it: the emulator's own check ("(a directory)") or the OS ("Is a directory").
            assertTrue(run.err().toLowerCase(Locale.ROOT).contains("directory"), run::toString);
        }
        finally
        {
            Files.delete(directory);
        }
    }

    @Test
    void aPciAddressWithoutADeviceIsOneTypedLineAndItsAdvice()
    {
        final CliRun run = nvmeq("identify", "nvme://0000:ff:1f.7/1");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: cannot open device 'nvme://0000:ff:1f.7/1': there is no PCI function"),
            run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
        final List<String> lines = new ArrayList<>(run.err().lines().toList());
        assertTrue(lines.size() <= 2, run::toString);
    }
}
