package io.nvmeq.examples.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fio's bandwidth and IOPS samples of one direction: the rate over each 500 ms of the measured window (fio's
 * default {@code bw_avg_time} and {@code iops_avg_time}), from which its {@code bw_min/max/mean/dev} and
 * {@code iops_min/max/mean/stddev} come. A window shorter than one interval has no samples, as in fio.
 *
 * @param bandwidthKiBs bandwidth per interval, KiB/s
 * @param iops          I/Os per second per interval
 */
record Samples(double[] bandwidthKiBs, double[] iops)
{
    static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    static final Samples NONE = new Samples(new double[0], new double[0]);

    int count()
    {
        return iops.length;
    }

    static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(0);
    }

    static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(0);
    }

    static double mean(final double[] values)
    {
        return Arrays.stream(values).average().orElse(0);
    }

    /** The sample standard deviation, as fio reports it (0 for fewer than two samples). */
    static double stddev(final double[] values)
    {
        if (values.length < 2)
        {
            return 0;
        }
        final double mean = mean(values);
        double sum = 0;
        for (final double value : values)
        {
            sum += (value - mean) * (value - mean);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    /** Takes the samples on the reporting thread while the job runs, from the workers' published counts. */
    static final class Recorder
    {
        private final long bs;
        private long nextAt;
        private long lastReads;
        private long lastWrites;
        private double[] readBw = new double[16];
        private double[] readIops = new double[16];
        private double[] writeBw = new double[16];
        private double[] writeIops = new double[16];
        private int count;

        Recorder(final long measureStart, final long bs)
        {
            this.bs = bs;
            this.nextAt = measureStart + INTERVAL_NS;
        }

        long nextAt()
        {
            return nextAt;
        }

        void sample(final long now, final List<Worker> workers)
        {
            if (now < nextAt)
            {
                return;
            }
            long reads = 0;
            long writes = 0;
            for (final Worker worker : workers)
            {
                reads += worker.readsSoFar();
                writes += worker.writesSoFar();
            }
            final double seconds = (now - (nextAt - INTERVAL_NS)) / 1e9;
            if (count == readBw.length)
            {
                readBw = Arrays.copyOf(readBw, 2 * count);
                readIops = Arrays.copyOf(readIops, 2 * count);
                writeBw = Arrays.copyOf(writeBw, 2 * count);
                writeIops = Arrays.copyOf(writeIops, 2 * count);
            }
            readIops[count] = (reads - lastReads) / seconds;
            readBw[count] = readIops[count] * bs / 1024;
            writeIops[count] = (writes - lastWrites) / seconds;
            writeBw[count] = writeIops[count] * bs / 1024;
            count++;
            lastReads = reads;
            lastWrites = writes;
            nextAt = now + INTERVAL_NS;
        }

        Samples reads()
        {
            return new Samples(Arrays.copyOf(readBw, count), Arrays.copyOf(readIops, count));
        }

        Samples writes()
        {
            return new Samples(Arrays.copyOf(writeBw, count), Arrays.copyOf(writeIops, count));
        }
    }
}
