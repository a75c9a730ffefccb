package io.nvmeq.hw.nativeio;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibCTest
{
    private static final String MARKER = "nvmeq: these bytes start at file offset 4096";

    @TempDir
    Path dir;

    /** A file whose first page is 0x5A and whose second page starts with MARKER. */
    private Path twoPageFile() throws IOException
    {
        final byte[] content = new byte[8192];
        Arrays.fill(content, 0, 4096, (byte)0x5A);
        final byte[] marker = MARKER.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, content, 4096, marker.length);
        return Files.write(dir.resolve("two-pages.bin"), content);
    }

    @Test
    void sixArgumentMmapPassesTheFileOffset() throws IOException
    {
        final Path file = twoPageFile();
        final LibC libc = LibC.libc();
        final int fd = libc.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        assertTrue(fd >= 0, "open failed: errno " + LibC.errno());
        try
        {
            final long address = libc.mmap(0, 4096, LibC.PROT_READ, LibC.MAP_SHARED, fd, 4096);
            assertNotEquals(LibC.MAP_FAILED, address, () -> "mmap at offset 4096 failed: errno " + LibC.errno());
            final byte[] read = new byte[MARKER.length()];
            new UnsafeBuffer(address, 4096).getBytes(0, read);
            assertEquals(0, libc.munmap(address, 4096));
            assertEquals(MARKER, new String(read, StandardCharsets.US_ASCII));
        }
        finally
        {
            assertEquals(0, libc.close(fd));
        }
    }

    @Test
    void aJvmWithoutTheX86AsmFlagStillPassesTheSixthArgument() throws Exception
    {
        final Path file = twoPageFile();
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(List.of(
            java.toString(),
            "-cp", System.getProperty("java.class.path"),
            MmapOffsetProbe.class.getName(), file.toString(), MARKER))
            .redirectErrorStream(true)
            .start();
        final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "the probe JVM did not exit within 60 s: " + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("x86asm=false"), output);
        assertTrue(output.contains("read=" + MARKER), output);
    }

    @Test
    void failedCallReportsErrnoAndItsText()
    {
        final long address = LibC.libc().mmap(0, 0, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        assertEquals(LibC.MAP_FAILED, address);
        final NativeException ex = NativeException.lastError("mmap", "zero length");
        assertEquals(LibC.EINVAL, ex.errno());
        assertEquals("mmap", ex.call());
        assertEquals("mmap failed: errno 22 (Invalid argument): zero length", ex.getMessage());
    }

    @Test
    void strerrorAndGetpid()
    {
        assertEquals("Cannot allocate memory", LibC.strerrorText(LibC.ENOMEM));
        assertEquals(ProcessHandle.current().pid(), LibC.libc().getpid());
    }

    @Test
    void pageSizeIsAPowerOfTwo()
    {
        final long pageSize = LibC.libc().sysconf(LibC.SC_PAGESIZE);
        assertTrue(pageSize >= 4096 && Long.bitCount(pageSize) == 1, "page size " + pageSize);
    }

    @Test
    void getrlimitFillsSoftAndHardLimits()
    {
        final long[] limit = {7, 7};
        assertEquals(0, LibC.libc().getrlimit(LibC.RLIMIT_MEMLOCK, limit));
        final boolean softWithinHard = limit[1] == LibC.RLIM_INFINITY ||
            (limit[0] != LibC.RLIM_INFINITY && Long.compareUnsigned(limit[0], limit[1]) <= 0);
        assertTrue(softWithinHard, Arrays.toString(limit));
        assertNotEquals(7L, limit[0]);
    }
}
