package io.nvmeq.hw.emu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * Measures what the latency model promises: a device with {@code channels} channels and a fixed
 * service time S sustains min(QD, channels) ÷ S commands per second at queue depth QD. Drives the
 * controller as a host does (RawHost: registers, rings, PRPs), one queue, 4 KiB reads, keeping QD
 * commands outstanding, and prints measured against predicted IOPS. Each point is measured
 * {@code tries} times and the best is judged: a host thread that loses its CPU to another process
 * lets the channels idle, which lowers a measurement but can never raise it, so on a shared machine
 * the best try is the one that measures the model rather than the scheduler. Every try is printed
 * with the share of wall time the host thread was on a CPU (a spinning thread gets 100% on an idle
 * machine; less means other processes took the CPU and the channels idled meanwhile).
 * Not a unit test.
 *
 * <pre>
 * mvn -q -o test-compile -pl nvme-hw
 * mvn -q -o dependency:build-classpath -pl nvme-hw -Dmdep.outputFile=/tmp/cp.txt
 * java -Djnr.ffi.x86asm.enabled=false \
 *   -cp nvme-hw/target/test-classes:nvme-hw/target/classes:$(cat /tmp/cp.txt) io.nvmeq.hw.emu.LatencyModelCheck [seconds [tries]]
 * </pre>
 */
public final class LatencyModelCheck
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LatencyModelCheck()
    {
    }

    public static void main(final String[] args)
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        final int tries = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf("%-34s %4s %10s %10s %8s   %s%n", "device", "QD", "predicted", "best", "error",
            "every try (IOPS @ host thread CPU share)");
        boolean allWithin = true;
        allWithin &= profile("ssd-like: 8 channels, read 100us", 8, ServiceTime.fixed(100_000), new int[]{1, 2, 4, 8, 16, 32}, seconds, tries);
        allWithin &= profile("sata-like: 1 channel, read 250us", 1, ServiceTime.fixed(250_000), new int[]{1, 4, 32}, seconds, tries);
        allWithin &= profile("exp: 4 channels, read exp(200us)", 4, ServiceTime.exponential(200_000), new int[]{1, 4, 16}, seconds, tries);
        System.out.println(allWithin ? "all within 10%" : "SOME POINTS OUTSIDE 10%");
    }

    private static boolean profile(final String name, final int channels, final ServiceTime read, final int[] depths,
        final double seconds, final int tries)
    {
        boolean allWithin = true;
        for (final int depth : depths)
        {
            final EmulatorConfig config = EmulatorConfig.builder()
                .namespaceBytes(64L << 20).blockSize(4096).maxQueueEntries(1024)
                .readLatency(read).channels(channels).build();
            try (RawHost host = RawHost.create(config))
            {
                host.enable(8);
                final RawHost.HostQueue queue = host.createQueuePair(1, depth + 1);
                final RawHost.Dma buffers = host.allocate(depth * 4096);
                // Warm up, then measure.
                run(host, queue, buffers, depth, 0.2);
                final StringBuilder all = new StringBuilder();
                double best = 0;
                for (int t = 0; t < tries; t++)
                {
                    final long cpuBefore = THREADS.getCurrentThreadCpuTime();
                    final long wallBefore = System.nanoTime();
                    final double iops = run(host, queue, buffers, depth, seconds);
                    final double cpuShare = (THREADS.getCurrentThreadCpuTime() - cpuBefore)
                        / (double)(System.nanoTime() - wallBefore);
                    all.append(String.format(" %.0f@%.0f%%", iops, cpuShare * 100));
                    best = Math.max(best, iops);
                }
                final double predicted = Math.min(depth, channels) * 1e9 / read.meanNanos();
                final double error = (best - predicted) / predicted;
                allWithin &= Math.abs(error) <= 0.10;
                System.out.printf("%-34s %4d %10.0f %10.0f %+7.1f%%  %s%n", name, depth, predicted, best, error * 100, all);
            }
        }
        return allWithin;
    }

    /** Keeps {@code depth} reads outstanding for {@code seconds}; returns completions per second. */
    private static double run(final RawHost host, final RawHost.HostQueue queue, final RawHost.Dma buffers,
        final int depth, final double seconds)
    {
        long lba = 0;
        for (int i = 0; i < depth; i++)
        {
            final long iova = buffers.iova + i * 4096L;
            final long slba = lba++ & 16383;
            host.push(queue, RawHost.io(Opcodes.NVM_READ, 1, slba, 1, iova, 0));
        }
        host.ringSq(queue);
        final long start = System.nanoTime();
        final long end = start + (long)(seconds * 1e9);
        long completed = 0;
        int outstanding = depth;
        long now = start;
        while (now < end || outstanding > 0)
        {
            final RawHost.Completion completion = host.tryReap(queue);
            now = System.nanoTime();
            if (completion == null)
            {
                continue;
            }
            if (completion.status() != Status.SUCCESS)
            {
                throw new IllegalStateException("read failed: " + Status.describe(completion.status()));
            }
            outstanding--;
            if (now < end)
            {
                completed++;
                final long slba = lba++ & 16383;
                host.push(queue, RawHost.io(Opcodes.NVM_READ, 1, slba, 1, buffers.iova + (completion.cid() % depth) * 4096L, 0));
                host.ringSq(queue);
                outstanding++;
            }
        }
        return completed * 1e9 / (end - start);
    }
}
