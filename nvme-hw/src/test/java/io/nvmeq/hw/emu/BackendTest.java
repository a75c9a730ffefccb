package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nvmeq.hw.spec.Opcodes;

/** Backing stores seen through NVM commands: durability of the file store, and the null store. */
class BackendTest
{
    @TempDir
    Path directory;

    @Test
    void fileBackedDataSurvivesTheController_nvm_3_2_6_fua() throws Exception
    {
        final Path file = directory.resolve("ns.img");
        final EmulatorConfig config = EmulatorConfig.builder().file(file).namespaces(2).namespaceBytes(1L << 20).build();
        final byte[] pattern = new byte[4096];
        for (int i = 0; i < pattern.length; i++)
        {
            pattern[i] = (byte)(i * 31 + 7);
        }
        try (RawHost host = RawHost.create(config))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma out = host.allocate(4096);
            out.buffer.putBytes(0, pattern);
            assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_WRITE).namespaceId(2).startingLba(16)
                .cdw(12, 7 | Opcodes.RW_FUA).prp1(out.iova)).status());
        }
        // Namespaces lie one after another in the file: namespace 2 starts at 1 MiB.
        final byte[] onDisk = Files.readAllBytes(file);
        assertEquals(2L << 20, onDisk.length);
        for (int i = 0; i < pattern.length; i++)
        {
            assertEquals(pattern[i], onDisk[(1 << 20) + 16 * 512 + i]);
        }
        try (RawHost host = RawHost.create(config))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma in = host.allocate(4096);
            assertEquals(0, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 2, 16, 8, in.iova, 0)).status());
            for (int i = 0; i < pattern.length; i++)
            {
                assertEquals(pattern[i], in.buffer.getByte(i));
            }
        }
    }

    @Test
    void nullStoreDropsWritesAndReadsZeroes()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().backend(EmulatorConfig.Backend.NULL).build()))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            data.buffer.setMemory(0, 4096, (byte)0x11);
            assertEquals(0, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 8, data.iova, 0)).status());
            assertEquals(0, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 8, data.iova, 0)).status());
            for (int i = 0; i < 4096; i++)
            {
                assertEquals(0, data.buffer.getByte(i));
            }
        }
    }

    @Test
    void memoryStoreCopiesAcrossChunkBoundaries()
    {
        // Chunks of 4 KiB stand in for the 1 MiB chunks, so that a few pages cross several.
        try (MemoryStore store = new MemoryStore(5 * 4096, 12))
        {
            final ByteBuffer memory = BufferUtil.allocateDirectAligned(3 * 4096, 4096);
            final UnsafeBuffer buffer = new UnsafeBuffer(memory);
            for (int i = 0; i < buffer.capacity(); i++)
            {
                buffer.putByte(i, (byte)(i % 251));
            }
            store.write(4096 - 100, buffer.addressOffset(), buffer.capacity());
            store.writeZeroes(2 * 4096 - 10, 20);
            buffer.setMemory(0, buffer.capacity(), (byte)0x55);
            store.read(4096 - 100, buffer.addressOffset(), buffer.capacity());
            for (int i = 0; i < buffer.capacity(); i++)
            {
                final int storeOffset = 4096 - 100 + i;
                final byte expected = storeOffset >= 2 * 4096 - 10 && storeOffset < 2 * 4096 + 10 ? 0 : (byte)(i % 251);
                assertEquals(expected, buffer.getByte(i), "byte " + i);
            }
        }
    }
}
