package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * Atomic write unit (NVMe base spec 2.0 §2.1.4.1, Identify AWUN = 0: one logical block): a reader on
 * one queue never sees a block half-written by a writer on another. The data buffers start mid-page,
 * so each block moves in two PRP segments: without the controller's block locks a reader running
 * between the two halves sees a torn block.
 */
class AtomicityTest
{
    private static final int ROUNDS = 20_000;
    private static final int BLOCK = 4096;
    private static final long LBA = 3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = EmulatorConfig.Backend.class, names = {"MEMORY", "FILE"})
    void singleBlockWritesAreNeverSeenTorn_2_1_4_1(final EmulatorConfig.Backend backend) throws Exception
    {
        final EmulatorConfig.Builder config = EmulatorConfig.builder()
            .namespaceBytes(1L << 20).blockSize(BLOCK).maxIoQueuePairs(2).maxQueueEntries(64);
        if (backend == EmulatorConfig.Backend.FILE)
        {
            config.file(dir.resolve("ns.img"));
        }
        try (RawHost host = RawHost.create(config.build()))
        {
            host.enable(8);
            final RawHost.HostQueue writeQueue = host.createQueuePair(1, 8);
            final RawHost.HostQueue readQueue = host.createQueuePair(2, 8);
            final RawHost.Dma patterns = host.allocate(3 * BLOCK);
            final RawHost.Dma readBuffer = host.allocate(2 * BLOCK);
            patterns.buffer.setMemory(0, BLOCK + BLOCK / 2, (byte)0xAA);
            patterns.buffer.setMemory(BLOCK + BLOCK / 2, BLOCK + BLOCK / 2, (byte)0x55);
            final long half = BLOCK / 2;

            final AtomicBoolean stop = new AtomicBoolean();
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < ROUNDS && !stop.get(); i++)
                {
                    // Pattern A at [half, half + BLOCK), pattern B at [BLOCK + half, 2 * BLOCK + half).
                    final long prp1 = patterns.iova + half + (i & 1) * (long)BLOCK;
                    final long prp2 = (prp1 & ~(long)(RawHost.PAGE - 1)) + RawHost.PAGE;
                    final int status = host.execute(writeQueue, RawHost.io(Opcodes.NVM_WRITE, 1, LBA, 1, prp1, prp2)).status();
                    if (status != Status.SUCCESS)
                    {
                        throw new AssertionError("write failed: " + Status.describe(status));
                    }
                }
            });
            int torn = 0;
            try
            {
                for (int i = 0; i < ROUNDS && !writer.isDone(); i++)
                {
                    final long prp1 = readBuffer.iova + half;
                    assertEquals(Status.SUCCESS, host.execute(readQueue,
                        RawHost.io(Opcodes.NVM_READ, 1, LBA, 1, prp1, readBuffer.iova + RawHost.PAGE)).status());
                    final byte first = readBuffer.buffer.getByte((int)half);
                    final byte last = readBuffer.buffer.getByte((int)half + BLOCK - 1);
                    if (first != last)
                    {
                        torn++;
                    }
                }
            }
            finally
            {
                stop.set(true);
                writer.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, torn, "reads that saw half of one write and half of another");
        }
    }
}
