package io.nvmeq.hw.nativeio;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Maps {@code args[0]} at file offset 4096 and prints the first {@code args[1]}.length bytes found there.
 * Run in a fresh JVM by {@link LibCTest} to show that a JVM without -Djnr.ffi.x86asm.enabled=false
 * still passes mmap's 6th argument.
 */
public final class MmapOffsetProbe
{
    private MmapOffsetProbe()
    {
    }

    public static void main(final String[] args)
    {
        final LibC libc = LibC.libc();
        final int fd = libc.open(args[0], LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw NativeException.lastError("open", args[0]);
        }
        try
        {
            final long address = libc.mmap(0, 4096, LibC.PROT_READ, LibC.MAP_SHARED, fd, 4096);
            if (address == LibC.MAP_FAILED)
            {
                throw NativeException.lastError("mmap", "4096 bytes at offset 4096 of " + args[0]);
            }
            final byte[] bytes = new byte[args[1].length()];
            new UnsafeBuffer(address, 4096).getBytes(0, bytes);
            libc.munmap(address, 4096);
            System.out.println("x86asm=" + System.getProperty(NativeLibraries.X86ASM_PROPERTY));
            System.out.println("read=" + new String(bytes, StandardCharsets.US_ASCII));
        }
        finally
        {
            libc.close(fd);
        }
    }
}
