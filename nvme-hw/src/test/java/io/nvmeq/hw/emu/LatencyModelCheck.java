package io.nvmeq.hw.emu;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * Measures what the latency model promises: a device with {@code channels} channels and a fixed
 * service time S sustains min(QD, channels) ÷ S commands per second at queue depth QD. Drives the
 * controller as a host does (RawHost: registers, rings, PRPs), one queue, 4 KiB reads, keeping QD
 * commands outstanding, and prints measured against predicted IOPS. Not a unit test: run it on a
 * quiet machine.
 *
 * <pre>
 * mvn -q -o test-compile -pl nvme-hw
 * mvn -q -o dependency:build-classpath -pl nvme-hw -Dmdep.outputFile=/tmp/cp.txt
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Djnr.ffi.x86asm.enabled=false \
 *   -cp nvme-hw/target/test-classes:nvme-hw/target/classes:$(cat /tmp/cp.txt) io.nvmeq.hw.emu.LatencyModelCheck [seconds]
 * </pre>
 */
public final class LatencyModelCheck
{
    private LatencyModelCheck()
    {
    }

    public static void main(final String[] args)
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        System.out.printf("%-34s %4s %12s %12s %8s%n", "device", "QD", "predicted", "measured", "error");
        boolean allWithin = true;
        allWithin &= profile("ssd-like: 8 channels, read 100us", 8, ServiceTime.fixed(100_000), new int[]{1, 2, 4, 8, 16, 32}, seconds);
        allWithin &= profile("sata-like: 1 channel, read 250us", 1, ServiceTime.fixed(250_000), new int[]{1, 4, 32}, seconds);
        allWithin &= profile("exp: 4 channels, read exp(200us)", 4, ServiceTime.exponential(200_000), new int[]{1, 4, 16}, seconds);
        System.out.println(allWithin ? "all within 10%" : "SOME POINTS OUTSIDE 10%");
    }

    private static boolean profile(final String name, final int channels, final ServiceTime read, final int[] depths,
        final double seconds)
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
                final double iops = run(host, queue, buffers, depth, seconds);
                final double predicted = Math.min(depth, channels) * 1e9 / read.meanNanos();
                final double error = (iops - predicted) / predicted;
                allWithin &= Math.abs(error) <= 0.10;
                System.out.printf("%-34s %4d %12.0f %12.0f %+7.1f%%%n", name, depth, predicted, iops, error * 100);
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
