package io.nvmeq.examples.direct;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.nio.file.ExtendedOpenOption;
import org.HdrHistogram.Histogram;

/**
 * The kernel's side of the VFIO comparison: random reads of a block device through the kernel with
 * {@code O_DIRECT} (no page cache), as fio's {@code psync} engine does them with {@code numjobs=iodepth}: each
 * of {@code iodepth} threads issues one positional read at a time into its own aligned direct buffer. Java
 * has no asynchronous block I/O, so this is what "queue depth N" means on the JVM's kernel path.
 *
 * <pre>
 *   java -cp nvmeq.jar io.nvmeq.examples.direct.DirectReadBench FILE BLOCK_SIZE IODEPTH RUNTIME_S [RAMP_S] [--verify]
 * </pre>
 *
 * Prints one line {@code direct-read: ... iops=N ...}. With {@code --verify} every block must hold its own
 * byte offset as a little-endian long in its first 8 bytes (what the test writes), else it fails.
 */
public final class DirectReadBench
{
    /** O_DIRECT needs buffers and offsets aligned to the logical block size; 4 KiB covers 512 and 4096. */
    static final int ALIGNMENT = 4096;

    private DirectReadBench()
    {
    }

    /** What one run measured. */
    public record Result(long reads, double seconds, Histogram latencyNanos)
    {
        public double iops()
        {
            return reads / seconds;
        }
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 4)
        {
            System.err.println("usage: DirectReadBench FILE BLOCK_SIZE IODEPTH RUNTIME_S [RAMP_S] [--verify]");
            System.exit(2);
        }
        final Path file = Path.of(args[0]);
        final int blockSize = Integer.parseInt(args[1]);
        final int iodepth = Integer.parseInt(args[2]);
        final double runtime = Double.parseDouble(args[3]);
        final double ramp = args.length > 4 && !args[4].startsWith("--") ? Double.parseDouble(args[4]) : 0;
        final boolean verify = args[args.length - 1].equals("--verify");
        final Result result = run(file, blockSize, iodepth, runtime, ramp, verify);
        report(System.out, file, blockSize, iodepth, result);
    }

    static void report(final PrintStream out, final Path file, final int blockSize, final int iodepth,
        final Result result)
    {
        final Histogram latency = result.latencyNanos();
        out.printf("direct-read: %s bs=%d iodepth=%d (threads, psync) O_DIRECT reads=%d runtime=%.2fs iops=%.0f " +
            "bw=%.2fMiB/s lat_us mean=%.1f p50=%.1f p99=%.1f max=%.1f%n",
            file, blockSize, iodepth, result.reads(), result.seconds(), result.iops(),
            result.iops() * blockSize / (1024.0 * 1024.0), latency.getMean() / 1000.0,
            latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
            latency.getMaxValue() / 1000.0);
    }

    /**
     * Reads random {@code blockSize}-aligned blocks of {@code file} with {@code iodepth} threads for
     * {@code rampSeconds} unmeasured, then {@code runtimeSeconds} measured.
     */
    public static Result run(final Path file, final int blockSize, final int iodepth, final double runtimeSeconds,
        final double rampSeconds, final boolean verify) throws IOException, InterruptedException
    {
        if (blockSize <= 0 || blockSize % ALIGNMENT != 0 && ALIGNMENT % blockSize != 0 || blockSize % 512 != 0)
        {
            throw new IllegalArgumentException("the block size must be a multiple of 512 that divides or is divided " +
                "by 4096, not " + blockSize);
        }
        if (iodepth < 1 || runtimeSeconds <= 0 || rampSeconds < 0)
        {
            throw new IllegalArgumentException("iodepth must be 1 or more and the runtime positive");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT))
        {
            final long blocks = size(file, channel) / blockSize;
            if (blocks < 1)
            {
                throw new IllegalArgumentException(file + " holds no whole block of " + blockSize + " bytes");
            }
            final AtomicBoolean measuring = new AtomicBoolean(rampSeconds == 0);
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < iodepth; i++)
            {
                readers.add(new Reader(channel, blockSize, blocks, verify, new SplittableRandom(0x5EED + i),
                    measuring, stop));
            }
            for (final Reader reader : readers)
            {
                reader.start();
            }
            TimeUnit.NANOSECONDS.sleep((long)(rampSeconds * 1e9));
            final long started = System.nanoTime();
            measuring.set(true);
            TimeUnit.NANOSECONDS.sleep((long)(runtimeSeconds * 1e9));
            stop.set(true);
            final long stopped = System.nanoTime();
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long reads = 0;
            for (final Reader reader : readers)
            {
                reader.join(TimeUnit.SECONDS.toMillis(30));
                if (reader.isAlive())
                {
                    throw new IOException("a read did not return within 30 s of the end of the run");
                }
                if (reader.failure != null)
                {
                    throw reader.failure;
                }
                reads += reader.reads;
                latency.add(reader.latency);
            }
            return new Result(reads, (stopped - started) / 1e9, latency);
        }
    }

    /** The channel's size, or for a block device whose size the JDK reports as 0, sysfs's sector count. */
    static long size(final Path file, final FileChannel channel) throws IOException
    {
        final long size = channel.size();
        if (size > 0)
        {
            return size;
        }
        final Path sectors = Path.of("/sys/class/block").resolve(file.toRealPath().getFileName().toString())
            .resolve("size");
        return Files.isReadable(sectors) ? Long.parseLong(Files.readString(sectors).trim()) * 512 : 0;
    }

    /** One outstanding read at a time, in its own aligned direct buffer. */
    private static final class Reader extends Thread
    {
        private final FileChannel channel;
        private final int blockSize;
        private final long blocks;
        private final boolean verify;
        private final SplittableRandom random;
        private final AtomicBoolean measuring;
        private final AtomicBoolean stop;
        private final ByteBuffer buffer;
        private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        private long reads;
        private IOException failure;

        Reader(final FileChannel channel, final int blockSize, final long blocks, final boolean verify,
            final SplittableRandom random, final AtomicBoolean measuring, final AtomicBoolean stop)
        {
            super("direct-read");
            setDaemon(true);
            this.channel = channel;
            this.blockSize = blockSize;
            this.blocks = blocks;
            this.verify = verify;
            this.random = random;
            this.measuring = measuring;
            this.stop = stop;
            this.buffer = ByteBuffer.allocateDirect(blockSize + ALIGNMENT).alignedSlice(ALIGNMENT)
                .order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void run()
        {
            try
            {
                while (!stop.get())
                {
                    final long offset = random.nextLong(blocks) * blockSize;
                    final long started = System.nanoTime();
                    buffer.clear().limit(blockSize);
                    while (buffer.hasRemaining())
                    {
                        if (channel.read(buffer, offset + buffer.position()) < 0)
                        {
                            throw new IOException("end of file at " + (offset + buffer.position()));
                        }
                    }
                    final long nanos = System.nanoTime() - started;
                    if (verify && buffer.getLong(0) != offset)
                    {
                        throw new IOException("the block at " + offset + " holds " + buffer.getLong(0));
                    }
                    if (measuring.get() && !stop.get())
                    {
                        latency.recordValue(Math.min(nanos, latency.getHighestTrackableValue()));
                        reads++;
                    }
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }
    }
}
