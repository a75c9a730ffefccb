package io.nvmeq.examples.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.Devices;

/**
 * The raw engine's 4 KiB read rate on one thread at a queue depth (default 32) against a device
 * (default {@code emu:null}): every completion resubmits at once; prints I/Os per second and ns per I/O
 * (wall clock, and CPU time of the thread, which is what one dedicated core would spend) for each of a
 * few one-second rounds after a warm-up.
 *
 * <pre>
 * java -Djnr.ffi.x86asm.enabled=false \
 *     -cp examples/target/nvmeq.jar io.nvmeq.examples.jmh.EngineThroughput [uri] [depth] [seconds]
 * </pre>
 */
public final class EngineThroughput implements CompletionHandler<Object>
{
    private final QueuePair queue;
    private final DmaBuffer buffer;
    private final long blocks;
    private final int blocksPer4k;
    private long completions;
    private long failures;
    private long lba;

    private EngineThroughput(final QueuePair queue, final DmaBuffer buffer, final long blocks, final int blockSize)
    {
        this.queue = queue;
        this.buffer = buffer;
        this.blocks = blocks;
        this.blocksPer4k = 4096 / blockSize;
    }

    public static void main(final String[] args)
    {
        final String uri = args.length > 0 ? args[0] : "emu:null?size=1g&bs=512";
        final int depth = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (NvmeController controller = NvmeController.open(Devices.open(uri),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(Math.max(64, depth + 1))))
        {
            final QueuePair queue = controller.createQueuePair(1);
            final DmaBuffer buffer = controller.allocateBuffer(depth * 4096);
            final EngineThroughput run = new EngineThroughput(
                queue, buffer, controller.namespace(1).blocks(), controller.namespace(1).blockSize());
            for (int i = 0; i < depth; i++)
            {
                run.submit(i);
            }
            run.runFor(TimeUnit.SECONDS.toNanos(2)); // warm-up
            System.out.printf("%s, 4 KiB random-offset reads, QD %d, 1 thread%n", uri, depth);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int round = 1; round <= seconds; round++)
            {
                final long before = run.completions;
                final long cpuBefore = threads.getCurrentThreadCpuTime();
                final long elapsed = run.runFor(TimeUnit.SECONDS.toNanos(1));
                final long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                final long ios = run.completions - before;
                // CPU time as well as wall time: on a shared machine the thread is not always on a core,
                // and the CPU time per I/O is what one dedicated core would spend.
                System.out.printf("round %d: %,d IOPS wall (%.1f ns per I/O), %.1f CPU-ns per I/O = %,d IOPS per core%n",
                    round, ios * 1_000_000_000L / elapsed, (double)elapsed / ios, (double)cpu / ios,
                    ios * 1_000_000_000L / Math.max(1, cpu));
            }
            System.out.printf("failures: %d, counters: %s%n", run.failures, queue.counters());
        }
    }

    private long runFor(final long nanos)
    {
        final long start = System.nanoTime();
        long now;
        do
        {
            for (int i = 0; i < 64; i++)
            {
                queue.poll(64);
            }
            now = System.nanoTime();
        }
        while (now - start < nanos);
        return now - start;
    }

    private void submit(final long slot)
    {
        lba = (lba + 7919L * blocksPer4k) % (blocks - blocksPer4k);
        final long aligned = lba - lba % blocksPer4k;
        if (!queue.submitRead(1, aligned, blocksPer4k, buffer, (int)slot * 4096, this, slot, null))
        {
            throw new IllegalStateException("queue full at depth " + queue.inFlight());
        }
    }

    @Override
    public void onCompletion(final long token, final Object attachment, final int status)
    {
        completions++;
        if (status != 0)
        {
            failures++;
        }
        submit(token);
    }
}
