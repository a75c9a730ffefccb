package io.nvmeq.examples.cli;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that do not write data leave {@code emu:file:} images as they were and create no file;
 * a device whose writes cannot be made durable is refused before anything runs.
 */
class ImageFilesCliTest
{
    @TempDir
    Path dir;

    private List<Path> files() throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.sorted().toList();
        }
    }

    @Test
    void refusedAndReadOnlyCommandsLeaveImagesByteIdenticalAndCreateNothing() throws IOException
    {
        final Path raw = dir.resolve("raw.img");
        final byte[] contents = new byte[1 << 20];
        new SplittableRandom(11).nextBytes(contents);
        Files.write(raw, contents);
        final Path missing = dir.resolve("missing.img");

        final CliRun grow = nvmeq("identify", "--device", "emu:file:" + raw + "?size=2m");
        assertNotEquals(0, grow.exitCode(), grow::toString);
        assertTrue(grow.err().contains("raw image of 1048576 bytes"), grow::toString);

        final CliRun identify = nvmeq("identify", "--device", "emu:file:" + raw + "?size=1m");
        assertEquals(0, identify.exitCode(), identify::toString);
        final CliRun read = nvmeq("read", "--device", "emu:file:" + raw + "?size=1m", "-s", "5", "-c", "1");
        assertEquals(0, read.exitCode(), read::toString);

        final CliRun noBlocks = nvmeq("write", "--device", "emu:file:" + missing, "-s", "0", "-c", "0", "--pattern", "0xCD");
        assertNotEquals(0, noBlocks.exitCode(), noBlocks::toString);
        final CliRun identifyMissing = nvmeq("identify", "--device", "emu:file:" + missing + "?size=2m");
        assertEquals(0, identifyMissing.exitCode(), identifyMissing::toString);
        final CliRun verifyOnly = nvmeq("bench", "--device", "emu:file:" + missing + "?size=1m", "--verify=crc32c",
            "--verify_only");
        assertNotEquals(0, verifyOnly.exitCode(), verifyOnly::toString);

        assertArrayEquals(contents, Files.readAllBytes(raw));
        assertEquals(List.of(raw), files(), "no image, no geometry file created");
    }

    @Test
    void onlyAWriteCreatesAnImageAndItKeepsItsGeometry() throws IOException
    {
        final Path image = dir.resolve("disk.img");
        final CliRun write = nvmeq("write", "--device", "emu:file:" + image + "?size=1m&bs=4096", "-s", "3", "-c", "1",
            "--pattern", "0xAB");
        assertEquals(0, write.exitCode(), write::toString);
        assertEquals(List.of(image, dir.resolve("disk.img.nvmeq")), files());
        assertEquals(1 << 20, Files.size(image));
        final byte[] contents = Files.readAllBytes(image);

        final CliRun other = nvmeq("read", "--device", "emu:file:" + image + "?bs=512", "-s", "0", "-c", "1");
        assertNotEquals(0, other.exitCode(), other::toString);
        assertTrue(other.err().contains("namespaces=1&size=1048576&bs=4096"), other::toString);
        final CliRun same = nvmeq("read", "--device", "emu:file:" + image, "-s", "3", "-c", "1");
        assertEquals(0, same.exitCode(), same::toString);
        assertTrue(same.out().contains("ab ab ab ab"), same::toString);
        assertArrayEquals(contents, Files.readAllBytes(image));
    }

    @Test
    void aDeviceWhoseWritesCannotBeMadeDurableIsRefusedAtOnce()
    {
        final CliRun run = nvmeq("write", "--device", "emu:file:/dev/null", "-s", "0", "-c", "1", "--pattern", "0xCD");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertTrue(run.err().contains("/dev/null is not a regular file or a block device"), run::toString);
        assertTrue(!run.out().contains("Success"), run::toString);
    }
}
