package io.nvmeq.hw.dma;

import io.nvmeq.hw.nativeio.LibC;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DmaMemoryTest
{
    private static final long PAGE = LibC.libc().sysconf(LibC.SC_PAGESIZE);
    private static final long TWO_MIB = 2L << 20;

    @Test
    void roundsUpToWholePagesAlignedAndZeroed()
    {
        try (DmaMemory memory = DmaMemory.allocate(10_000))
        {
            assertEquals((10_000 + PAGE - 1) / PAGE * PAGE, memory.length());
            assertEquals(PAGE, memory.pageSize());
            assertFalse(memory.hugePages());
            assertEquals(0, memory.address() % memory.pageSize());
            final UnsafeBuffer buffer = memory.buffer();
            assertEquals(memory.address(), buffer.addressOffset());
            assertEquals(memory.length(), buffer.capacity());
            for (int i = 0; i < buffer.capacity(); i += Long.BYTES)
            {
                assertEquals(0L, buffer.getLong(i), "byte " + i);
            }
            buffer.putLong(buffer.capacity() - Long.BYTES, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, buffer.getLong(buffer.capacity() - Long.BYTES));
        }
    }

    @Test
    void twoRegionsDoNotOverlap()
    {
        try (DmaMemory a = DmaMemory.allocate(PAGE); DmaMemory b = DmaMemory.allocate(PAGE))
        {
            assertTrue(a.address() + a.length() <= b.address() || b.address() + b.length() <= a.address());
            a.buffer().putInt(0, 42);
            assertEquals(0, b.buffer().getInt(0));
        }
    }

    @Test
    void twoMibWithoutReservedHugepagesFallsBackToNormalPages()
    {
        assumeFalse(HugePages.current().canCover2M(TWO_MIB), "this machine has 2 MiB hugepages reserved");
        try (DmaMemory memory = DmaMemory.allocate(TWO_MIB))
        {
            assertFalse(memory.hugePages());
            assertEquals(PAGE, memory.pageSize());
            assertEquals(TWO_MIB, memory.length());
            memory.buffer().putByte((int)TWO_MIB - 1, (byte)1);
        }
    }

    @Test
    void twoMibWithReservedHugepagesUsesThem()
    {
        assumeTrue(HugePages.current().canCover2M(TWO_MIB), "no 2 MiB hugepages reserved on this machine");
        try (DmaMemory memory = DmaMemory.allocate(TWO_MIB))
        {
            assertTrue(memory.hugePages());
            assertEquals(TWO_MIB, memory.pageSize());
            assertEquals(0, memory.address() % TWO_MIB);
        }
    }

    @Test
    void closeTwiceIsFineAndEmptiesTheBuffer()
    {
        final DmaMemory memory = DmaMemory.allocate(PAGE);
        final UnsafeBuffer buffer = memory.buffer();
        memory.close();
        memory.close();
        assertTrue(memory.isClosed());
        assertEquals(0, buffer.capacity());
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getLong(0));
    }

    @Test
    void closeUnmaps() throws IOException
    {
        final DmaMemory memory = DmaMemory.allocate(PAGE);
        final long address = memory.address();
        assertTrue(mapped(address));
        memory.close();
        assertFalse(mapped(address), "still mapped after close");
    }

    /** Whether any mapping in /proc/self/maps contains {@code address}. */
    private static boolean mapped(final long address) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            final String range = line.substring(0, line.indexOf(' '));
            final int dash = range.indexOf('-');
            final long from = Long.parseUnsignedLong(range.substring(0, dash), 16);
            final long to = Long.parseUnsignedLong(range.substring(dash + 1), 16);
            if (Long.compareUnsigned(address, from) >= 0 && Long.compareUnsigned(address, to) < 0)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void sizesOutsideOneBufferAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(-4096));
        final IllegalArgumentException tooBig =
            assertThrows(IllegalArgumentException.class, () -> DmaMemory.allocate(DmaMemory.MAX_BYTES + 1));
        assertTrue(tooBig.getMessage().contains("allocate several"), tooBig.getMessage());
        assertEquals(0, DmaMemory.MAX_BYTES % TWO_MIB);
        assertTrue(DmaMemory.MAX_BYTES <= Integer.MAX_VALUE);
    }

    @Test
    void aRegionBeyondTheMemlockLimitIsStillUsableButNotLocked() throws IOException
    {
        final long[] limit = new long[2];
        assertEquals(0, LibC.libc().getrlimit(LibC.RLIMIT_MEMLOCK, limit));
        assumeTrue(limit[0] != LibC.RLIM_INFINITY && limit[0] < (256L << 20), "RLIMIT_MEMLOCK is large");
        assumeFalse(hasIpcLockCapability(), "CAP_IPC_LOCK ignores RLIMIT_MEMLOCK");
        try (DmaMemory memory = DmaMemory.allocate(limit[0] + PAGE))
        {
            assertFalse(memory.locked());
            memory.buffer().putLong(0, 1L);
        }
    }

    @Test
    void aSmallRegionIsLockedWhenAllowed() throws IOException
    {
        assumeTrue(hasIpcLockCapability(), "without CAP_IPC_LOCK the shared memlock budget is unknown");
        try (DmaMemory memory = DmaMemory.allocate(PAGE))
        {
            assertTrue(memory.locked());
        }
    }

    /** Bit 14 (CAP_IPC_LOCK) of the effective capabilities in /proc/self/status. */
    private static boolean hasIpcLockCapability() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("CapEff:"))
            {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 14)) != 0;
            }
        }
        return false;
    }
}
