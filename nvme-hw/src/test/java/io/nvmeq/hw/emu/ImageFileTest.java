package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * What opening an {@code emu:file:} image may do to it: nothing. Only a write creates or grows an
 * image; an image nvmeq created keeps its geometry in {@code IMAGE.nvmeq} and a URI that contradicts
 * it is refused with the real geometry; a raw image opens only with a geometry that covers it exactly;
 * an image has one opener at a time, in this JVM and across processes.
 */
class ImageFileTest
{
    @TempDir
    Path dir;

    private static RawHost open(final String uri)
    {
        return new RawHost((EmulatedController)Devices.open(uri));
    }

    private static String uri(final Path image, final String query)
    {
        return "emu:file:" + image + (query.isEmpty() ? "" : "?" + query);
    }

    private List<Path> files() throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.sorted().toList();
        }
    }

    /** Everything but a data write: Identify, reads, Write Zeroes, Deallocate, Flush, shutdown. */
    private static void everythingButAWrite(final RawHost host)
    {
        host.enable(4);
        RawHost.requireSuccess(host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).prp1(host.allocate(4096).iova)
            .cdw(10, Opcodes.CNS_NAMESPACE).namespaceId(1)), "Identify Namespace");
        final RawHost.HostQueue queue = host.createQueuePair(1, 4);
        final RawHost.Dma data = host.allocate(4096);
        data.buffer.setMemory(0, 4096, (byte)0x5A);
        RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 1, data.iova, 0)), "Read");
        for (int i = 0; i < 4096; i++)
        {
            assertEquals(0, data.buffer.getByte(i), "an image not written yet reads as zeroes");
        }
        RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_WRITE_ZEROES, 1, 16, 8, 0, 0)), "Write Zeroes");
        RawHost.requireSuccess(host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)), "Flush");
        final int cc = host.registers.read32(Registers.CC);
        host.registers.write32(Registers.CC, cc | (Registers.CC_SHN_NORMAL << Registers.CC_SHN_SHIFT));
        assertEquals(Registers.CSTS_SHST_COMPLETE, Registers.cstsShst(host.registers.read32(Registers.CSTS)));
    }

    private static byte[] random(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt();
        }
        return bytes;
    }

    @Test
    void onlyTheFirstWriteCreatesAnImage() throws Exception
    {
        final Path image = dir.resolve("new.img");
        try (RawHost host = open(uri(image, "size=1m&bs=4096&namespaces=2")))
        {
            everythingButAWrite(host);
        }
        assertEquals(List.of(), files(), "opening, reading, zeroing, flushing and shutting down create nothing");

        try (RawHost host = open(uri(image, "size=1m&bs=4096&namespaces=2")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            data.buffer.setMemory(0, 4096, (byte)0xC3);
            RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 2, 3, 1, data.iova, 0)), "Write");
        }
        assertEquals(List.of(image, dir.resolve("new.img.nvmeq")), files());
        assertEquals(new ImageGeometry(2, 1 << 20, 4096), ImageGeometry.read(dir.resolve("new.img.nvmeq")));
        // At its full length, as a raw image: QEMU and losetup see the size of both namespaces.
        assertEquals(2L << 20, Files.size(image));
    }

    @Test
    void aUriThatDoesNotFitARawImageChangesNothing() throws Exception
    {
        final Path image = dir.resolve("raw.img");
        final byte[] contents = random(1 << 20, 1);
        Files.write(image, contents);
        final FileTime modified = Files.getLastModifiedTime(image);
        for (final String query : List.of("size=2m", "", "size=512k", "size=512k&namespaces=3"))
        {
            final ImageFileException refused = assertThrows(ImageFileException.class, () -> open(uri(image, query)));
            assertTrue(refused.getMessage().contains("raw image of 1048576 bytes"), refused.getMessage());
        }
        assertArrayEquals(contents, Files.readAllBytes(image));
        assertEquals(modified, Files.getLastModifiedTime(image));
        assertEquals(List.of(image), files(), "no geometry file, no other file");
    }

    @Test
    void aRawImageOpensWithAGeometryThatCoversItAndStaysRaw() throws Exception
    {
        final Path image = dir.resolve("qemu.img");
        final byte[] contents = random(1 << 20, 2);
        Files.write(image, contents);
        try (RawHost host = open(uri(image, "size=512k&namespaces=2&bs=4096")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_READ, 2, 5, 1, data.iova, 0)), "Read");
            final byte[] block = new byte[4096];
            data.buffer.getBytes(0, block);
            assertArrayEquals(Arrays.copyOfRange(contents, (512 << 10) + 5 * 4096, (512 << 10) + 6 * 4096), block);
            data.buffer.setMemory(0, 4096, (byte)0x77);
            RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 127, 1, data.iova, 0)), "Write");
        }
        final byte[] after = Files.readAllBytes(image);
        assertEquals(1 << 20, after.length);
        for (int i = 127 * 4096; i < 128 * 4096; i++)
        {
            contents[i] = 0x77;
        }
        assertArrayEquals(contents, after);
        assertEquals(List.of(image), files(), "a raw image gets no geometry file");
    }

    @Test
    void anImageKeepsItsGeometryAndRefusesAnother() throws Exception
    {
        final Path image = dir.resolve("kept.img");
        try (RawHost host = open(uri(image, "namespaces=2&size=1m&bs=4096")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            data.buffer.setMemory(0, 4096, (byte)0x42);
            RawHost.requireSuccess(host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 1, data.iova, 0)), "Write");
        }
        final byte[] contents = Files.readAllBytes(image);
        for (final String query : List.of("size=2m", "bs=512", "namespaces=1", "namespaces=2&size=1m&bs=512"))
        {
            final ImageFileException refused = assertThrows(ImageFileException.class, () -> open(uri(image, query)));
            assertTrue(refused.getMessage().contains("namespaces=2&size=1048576&bs=4096"), refused.getMessage());
        }
        assertArrayEquals(contents, Files.readAllBytes(image));
        // Left out, the geometry comes from the image; given and equal, it opens too.
        for (final String query : List.of("", "size=1m", "namespaces=2&size=1m&bs=4096"))
        {
            try (RawHost host = open(uri(image, query)))
            {
                final EmulatorConfig config = host.controller.config();
                assertEquals(2, config.namespaces());
                assertEquals(1 << 20, config.namespaceBytes());
                assertEquals(4096, config.blockSize());
            }
        }
    }

    @Test
    void anImageHasOneOpenerInThisJvm() throws Exception
    {
        final Path image = dir.resolve("shared.img");
        Files.write(image, random(1 << 20, 3));
        Files.createLink(dir.resolve("link.img"), image);
        try (RawHost first = open(uri(image, "size=1m")))
        {
            for (final Path name : List.of(image, dir.resolve("link.img"), dir.resolve(".").resolve("shared.img")))
            {
                final ImageFileException refused = assertThrows(ImageFileException.class, () -> open(uri(name, "size=1m")));
                assertTrue(refused.getMessage().contains("open already in this process"), refused.getMessage());
            }
            // The refusals opened no descriptor, so the first opener's lock still stands.
            assertTrue(otherProcessIsRefused(image), "another process is still refused");
        }
        open(uri(image, "size=1m")).close();
    }

    @Test
    void anImageOpenInAnotherProcessIsRefused() throws Exception
    {
        final Path image = dir.resolve("held.img");
        Files.write(image, random(1 << 20, 4));
        final Process child = new ProcessBuilder(javaCommand(uri(image, "size=1m")))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
        {
            assertEquals("OPEN", lines.readLine());
            final ImageFileException refused = assertThrows(ImageFileException.class, () -> open(uri(image, "size=1m")));
            assertTrue(refused.getMessage().contains("locked by another process"), refused.getMessage());
        }
        finally
        {
            child.getOutputStream().close();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        }
        open(uri(image, "size=1m")).close();
    }

    @Test
    void aMissingDirectoryIsAClearErrorAndCreatesNothing() throws IOException
    {
        final ImageFileException refused =
            assertThrows(ImageFileException.class, () -> open(uri(dir.resolve("no/such.img"), "")));
        assertTrue(refused.getMessage().contains("does not exist"), refused.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void aFirstWriteThatCannotCreateTheImageLeavesNothing() throws Exception
    {
        // ext4 holds files of up to 16 TiB: an image of 16 PiB cannot be created there (EFBIG).
        assumeTrue("ext4".equals(Files.getFileStore(dir).type()), "needs ext4's 16 TiB file size limit");
        final Path image = dir.resolve("huge.img");
        try (RawHost host = open(uri(image, "namespaces=1024&size=16t")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            assertEquals(Status.WRITE_FAULT, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 1, data.iova, 0)).status());
        }
        assertEquals(List.of(), files(), "the image and geometry file it could not finish are removed");
    }

    /** Whether a child JVM trying to open {@code image} is refused because it is locked. */
    private static boolean otherProcessIsRefused(final Path image) throws Exception
    {
        final Process child = new ProcessBuilder(javaCommand(uri(image, "size=1m"))).redirectErrorStream(true).start();
        child.getOutputStream().close();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertFalse(output.contains("OPEN"), output);
        return child.exitValue() != 0 && output.contains("locked by another process");
    }

    private static List<String> javaCommand(final String uri)
    {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djnr.ffi.x86asm.enabled=false", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-cp", System.getProperty("java.class.path"), ImageHolder.class.getName(), uri);
    }
}
