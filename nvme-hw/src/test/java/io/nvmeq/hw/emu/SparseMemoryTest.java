package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * The memory backend holds what it is given: a namespace costs the chunks written, a size no chunk
 * table can address is refused when the URI is parsed, and first writes racing into a fresh chunk
 * from several queues keep every block.
 */
class SparseMemoryTest
{
    @Test
    void sizesNoStoreCanHoldAreRefusedWhenParsed()
    {
        for (final String uri : List.of("emu:memory?size=4611686018427387904", "emu:memory?size=2305843009213693952",
            "emu:memory?size=65t&bs=4096"))
        {
            final BadDeviceUriException refused = assertThrows(BadDeviceUriException.class, () -> DeviceUri.parse(uri));
            assertTrue(refused.problem().contains("an in-memory namespace holds at most 70368744177664 bytes (64 TiB"),
                refused.problem());
        }
        final BadDeviceUriException overflow = assertThrows(BadDeviceUriException.class,
            () -> DeviceUri.parse("emu:file:/tmp/never.img?namespaces=1024&size=4611686018427387904"));
        assertTrue(overflow.problem().contains("exceed 2^63 bytes"), overflow.problem());
        // A null namespace stores nothing, so any addressable size is fine.
        DeviceUri.parse("emu:null?size=4611686018427387904");
    }

    @Test
    void aLargeNamespaceCostsOnlyWhatIsWritten()
    {
        final long bytes = 64L << 40;
        try (RawHost host = new RawHost((EmulatedController)Devices.open("emu:memory?size=64t&bs=4096&namespaces=2")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(8192);
            final long last = bytes / 4096 - 1;
            final long beforeBoundary = (1L << MemoryStore.DEFAULT_CHUNK_SHIFT) / 4096 - 1;
            for (int i = 0; i < 8192; i++)
            {
                data.buffer.putByte(i, (byte)(i * 13 + 1));
            }
            // The last block, and one block each side of a chunk boundary.
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 2, last, 1, data.iova, 0)).status());
            assertEquals(Status.SUCCESS,
                host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 2, beforeBoundary, 2, data.iova, data.iova + 4096)).status());
            data.buffer.setMemory(0, 8192, (byte)0xEE);
            assertEquals(Status.SUCCESS,
                host.execute(queue, RawHost.io(Opcodes.NVM_READ, 2, beforeBoundary, 2, data.iova, data.iova + 4096)).status());
            for (int i = 0; i < 8192; i++)
            {
                assertEquals((byte)(i * 13 + 1), data.buffer.getByte(i), "byte " + i);
            }
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, last, 1, data.iova, 0)).status());
            for (int i = 0; i < 4096; i++)
            {
                assertEquals(0, data.buffer.getByte(i), "never written: zeroes");
            }
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE_ZEROES, 1, 4096, 65536, 0, 0)).status());
            assertEquals(0, ((MemoryStore)host.controller.namespace(1).store).allocatedBytes(), "zeroes allocate nothing");
            assertEquals(3L << MemoryStore.DEFAULT_CHUNK_SHIFT, ((MemoryStore)host.controller.namespace(2).store).allocatedBytes(),
                "three chunks for three blocks in three chunks");
        }
    }

    @Test
    void firstWritesRacingIntoAFreshChunkKeepEveryBlock() throws Exception
    {
        final int threads = 4;
        final int blocksPerThread = 64;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            for (int round = 0; round < 50; round++)
            {
                // Chunks of 64 KiB: 4 threads x 64 blocks of 512 bytes fill two of them, interleaved.
                try (MemoryStore store = new MemoryStore(1 << 20, 16))
                {
                    final CyclicBarrier start = new CyclicBarrier(threads);
                    final List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < threads; t++)
                    {
                        final int thread = t;
                        done.add(pool.submit(() ->
                        {
                            final ByteBuffer block = BufferUtil.allocateDirectAligned(512, 512);
                            final UnsafeBuffer view = new UnsafeBuffer(block);
                            view.setMemory(0, 512, (byte)(thread + 1));
                            start.await();
                            for (int b = 0; b < blocksPerThread; b++)
                            {
                                store.write((long)(b * threads + thread) * 512, view.addressOffset(), 512);
                            }
                            return null;
                        }));
                    }
                    for (final Future<?> future : done)
                    {
                        future.get(60, TimeUnit.SECONDS);
                    }
                    final UnsafeBuffer check = new UnsafeBuffer(BufferUtil.allocateDirectAligned(512, 512));
                    for (int b = 0; b < threads * blocksPerThread; b++)
                    {
                        store.read((long)b * 512, check.addressOffset(), 512);
                        for (int i = 0; i < 512; i++)
                        {
                            assertEquals((byte)(b % threads + 1), check.getByte(i), "round " + round + " block " + b);
                        }
                    }
                    assertEquals(2L << 16, store.allocatedBytes());
                }
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
