package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.Opcodes;

/** Several queue pairs driven by their own threads at once (the emulator has no thread of its own). */
class ConcurrentQueuesTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private static final int THREADS = 3;
    private static final int ROUNDS = 300;

    @Test
    void queuePairsOnDifferentThreadsKeepTheirDataApart() throws InterruptedException
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(4L << 20).deviceThreads(deviceThreads()).build()))
        {
            host.enable(8);
            final RawHost.HostQueue[] queues = new RawHost.HostQueue[THREADS];
            final RawHost.Dma[] out = new RawHost.Dma[THREADS];
            final RawHost.Dma[] in = new RawHost.Dma[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                queues[t] = host.createQueuePair(t + 1, 8);
                out[t] = host.allocate(4096);
                in[t] = host.allocate(4096);
            }
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                final int id = t;
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        for (int round = 0; round < ROUNDS; round++)
                        {
                            final long lba = (long)id * 1024 + (round % 64) * 8;
                            out[id].buffer.setMemory(0, 4096, (byte)(id * 64 + round));
                            assertEquals(0, host.execute(queues[id], RawHost.io(Opcodes.NVM_WRITE, 1, lba, 8, out[id].iova, 0)).status());
                            assertEquals(0, host.execute(queues[id], RawHost.io(Opcodes.NVM_READ, 1, lba, 8, in[id].iova, 0)).status());
                            for (int i = 0; i < 4096; i += 511)
                            {
                                assertEquals((byte)(id * 64 + round), in[id].buffer.getByte(i));
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                threads[t].start();
            }
            for (final Thread thread : threads)
            {
                thread.join(30_000);
                assertFalse(thread.isAlive(), "a queue thread did not finish");
            }
            assertNull(failure.get(), () -> "a queue thread failed: " + failure.get());
            assertEquals((long)THREADS * ROUNDS, host.controller.counters().writes());
            assertEquals((long)THREADS * ROUNDS, host.controller.counters().reads());
        }
    }
}
