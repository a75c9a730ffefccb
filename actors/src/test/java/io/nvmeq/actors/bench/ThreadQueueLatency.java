package io.nvmeq.actors.bench;

import java.util.List;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.NvmeqThreadQueue;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.nativeio.CpuAffinity;
import io.nvmeq.hw.spec.Status;
import org.HdrHistogram.Histogram;

/**
 * A plain Java thread doing blocking queue-depth-1 4 KiB reads, four ways, in alternating rounds on the
 * same (main, unpinned) thread: the raw engine (the thread submits to a {@link QueuePair} and polls it),
 * an {@link NvmeqThreadQueue}'s blocking {@code read}, its {@code readAsync(...).join()}, and the facade's
 * {@code queue(0).read(...).get()} (queue-pair actor, a hand-off each way). The engine runs on a
 * controller of its own, of the same kind. Each round prints mean and percentiles, and the bytes the
 * thread allocated per read. Not a test. Usage:
 * {@code ThreadQueueLatency [device-kind] [rounds] [operations] [cpu]} (memory or null; default memory, 5,
 * 100000; the facade gets a tenth of the operations: it is slower); with {@code cpu} the main thread is pinned
 * there (the queue-pair actor's thread is pinned to the highest usable CPU).
 */
public final class ThreadQueueLatency
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;
    private static final int IO_BLOCKS = 4096 / BLOCK;
    private static final int SLOTS = (4 << 20) / 4096;

    private ThreadQueueLatency()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String kind = args.length > 0 ? args[0] : "memory";
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int operations = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        final String device = "emu:" + kind + "?size=64m&bs=" + BLOCK;
        final int[] cpus = BenchSupport.usableCpus();
        if (args.length > 3)
        {
            CpuAffinity.pinCurrentThread(Integer.parseInt(args[3]));
        }
        System.out.printf("QD1 4 KiB blocking reads on %s from one plain thread%s, %d rounds of %d, %s%n", device,
            args.length > 3 ? " on CPU " + args[3] : "", rounds, operations, BenchSupport.load());
        final NvmeqSettings settings = NvmeqSettings.load().withDevice(device).withQueuePairs(1).withQueueEntries(64)
            .withCpus(List.of(cpus[cpus.length - 1]));
        try (Nvmeq nvmeq = Nvmeq.open(settings);
             NvmeController controller = NvmeController.open(Devices.open(device),
                 ControllerOptions.defaults().withIoQueuePairs(1)))
        {
            final QueuePair raw = controller.createQueuePair(1, 64);
            final DmaBuffer rawBuffer = controller.allocateBuffer(4096);
            final DmaBuffer buffer = nvmeq.allocate(4096);
            try (NvmeqThreadQueue queue = nvmeq.threadQueue())
            {
                for (int round = 0; round < rounds; round++)
                {
                    System.out.printf("round %d%n", round + 1);
                    measure("raw engine: submit + poll", operations, i -> rawRead(raw, rawBuffer, i));
                    measure("thread queue: read()", operations, i -> queue.read(NSID, slot(i), IO_BLOCKS, buffer, 0));
                    measure("thread queue: readAsync().join()", operations,
                        i -> queue.readAsync(NSID, slot(i), IO_BLOCKS, buffer, 0).toCompletableFuture().join());
                    measure("facade queue(0): read().get()", operations / 10,
                        i -> nvmeq.queue(0).read(NSID, slot(i), IO_BLOCKS, buffer, 0).toCompletableFuture().get());
                }
            }
            controller.deleteQueuePair(raw);
        }
    }

    private static long slot(final long i)
    {
        return (i % SLOTS) * IO_BLOCKS;
    }

    @FunctionalInterface
    private interface Read
    {
        void run(long i) throws Exception;
    }

    private static void measure(final String what, final int operations, final Read read) throws Exception
    {
        for (int i = 0; i < operations / 10; i++)
        {
            read.run(i);
        }
        final Histogram histogram = BenchSupport.histogram();
        final long thread = Thread.currentThread().getId();
        final long allocatedBefore = BenchSupport.allocatedBytes(thread);
        final long start = System.nanoTime();
        for (int i = 0; i < operations; i++)
        {
            final long begin = System.nanoTime();
            read.run(i);
            histogram.recordValue(System.nanoTime() - begin);
        }
        final long nanos = System.nanoTime() - start;
        final long allocated = BenchSupport.allocatedBytes(thread) - allocatedBefore;
        BenchSupport.printLatency(what, histogram, nanos);
        // The histogram's own recording allocates nothing; what is left is the path's.
        System.out.printf("%-44s %9.1f B allocated per read%n", "", (double)allocated / operations);
    }

    private static final int[] RAW_STATUS = {-1};
    private static final CompletionHandler<Object> RAW_DONE = (token, attachment, status) -> RAW_STATUS[0] = status;

    private static void rawRead(final QueuePair queuePair, final DmaBuffer buffer, final long i)
    {
        RAW_STATUS[0] = -1;
        if (!queuePair.submitRead(NSID, slot(i), IO_BLOCKS, buffer, 0, RAW_DONE, 0, null))
        {
            throw new IllegalStateException("queue pair full");
        }
        while (RAW_STATUS[0] < 0)
        {
            queuePair.poll(1);
        }
        if (!Status.isSuccess(RAW_STATUS[0]))
        {
            throw new IllegalStateException("read failed: " + Status.describe(RAW_STATUS[0]));
        }
    }
}
