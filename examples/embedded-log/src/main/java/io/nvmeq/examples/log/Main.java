package io.nvmeq.examples.log;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;

/**
 * The embedded-log example: the same append-only log, once on nvmeq (an emulated controller whose namespace
 * lives in a file; appends are FUA writes) and once on a plain file through FileChannel (DSYNC writes), in one
 * run. Each side appends the same records with the same number in flight, reopens its log and checks that
 * recovery finds every acknowledged record, and reports appends per second and the p50/p99 time from append
 * to acknowledgement; the last line gives nvmeq's figures as ratios to FileChannel's.
 *
 * <pre>
 * java -cp target/nvmeq-embedded-log.jar:$(cat target/classpath.txt) io.nvmeq.examples.log.Main \
 *     [--dir DIR] [--records N] [--record-bytes B] [--in-flight D] [--warmup N] [--durability dsync|force]
 * </pre>
 *
 * Exit status 0 when both logs recovered every record, 1 when one did not, 2 on a bad argument.
 */
public final class Main
{
    static final int BLOCK_SIZE = 4096;
    static final int MAX_RECORD_BLOCKS = 16;

    private Main()
    {
    }

    /** What one side of the comparison measured. */
    record Result(String name, long records, double appendsPerSecond, double p50Micros, double p99Micros,
        long recovered, boolean contentsMatch)
    {
        boolean recoveredAll()
        {
            return recovered == records && contentsMatch;
        }
    }

    public static void main(final String[] args) throws IOException
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("embedded-log: " + ex.getMessage());
            System.exit(2);
            return;
        }
        final Path dir = options.dir != null ? Files.createDirectories(options.dir) : Files.createTempDirectory("embedded-log");
        System.out.printf("embedded-log: %d appends of %d bytes (after %d untimed), %d in flight, each durable before" +
            " it is acknowledged%n", options.records, options.recordBytes, options.warmup, options.inFlight);

        final long deviceBytes = Math.max(16L << 20,
            2L * (options.warmup + options.records) * RecordFormat.blocksFor(options.recordBytes, BLOCK_SIZE) * BLOCK_SIZE + (1L << 20));
        final String uri = "emu:file:" + dir.resolve("nvmeq-log.img").toAbsolutePath() + "?size=" + deviceBytes +
            "&bs=" + BLOCK_SIZE;
        final Result nvmeq = run("nvmeq " + "emu:file (FUA)", () -> onNvmeq(uri, options.inFlight), options);
        final Path file = dir.resolve("filechannel-log.dat");
        final Result fileChannel = run("FileChannel (" + options.durability.name() + ")",
            () -> onFile(file, deviceBytes / BLOCK_SIZE, options.durability, options.inFlight), options);

        System.out.printf("  JVM arguments: %s; jnr.ffi.x86asm.enabled=%s (set by nvmeq when it loads libc)%n",
            ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty("jnr.ffi.x86asm.enabled"));
        System.out.printf("  %-26s %12s %10s %10s   %s%n", "", "appends/s", "p50 us", "p99 us", "recovered");
        for (final Result result : new Result[] {nvmeq, fileChannel})
        {
            System.out.printf(Locale.ROOT, "  %-26s %12.1f %10.1f %10.1f   %d of %d%s%n", result.name, result.appendsPerSecond,
                result.p50Micros, result.p99Micros, result.recovered, result.records,
                result.contentsMatch ? "" : " (CONTENTS DIFFER)");
        }
        System.out.printf(Locale.ROOT, "  nvmeq / FileChannel: appends/s %.2fx, p50 %.2fx, p99 %.2fx (latency: below 1 is faster)%n",
            nvmeq.appendsPerSecond / fileChannel.appendsPerSecond, nvmeq.p50Micros / fileChannel.p50Micros,
            nvmeq.p99Micros / fileChannel.p99Micros);
        if (options.dir == null)
        {
            Files.deleteIfExists(dir.resolve("nvmeq-log.img"));
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        System.exit(nvmeq.recoveredAll() && fileChannel.recoveredAll() ? 0 : 1);
    }

    /** A log on the first namespace of {@code uri}, through one queue pair. */
    static AppendLog onNvmeq(final String uri, final int inFlight)
    {
        final Nvmeq nvmeq = Nvmeq.open(NvmeqSettings.load().withDevice(uri).withQueuePairs(1));
        try
        {
            return AppendLog.open(new NvmeqBlockDevice(nvmeq, inFlight, MAX_RECORD_BLOCKS), MAX_RECORD_BLOCKS);
        }
        catch (final RuntimeException ex)
        {
            nvmeq.close();
            throw ex;
        }
    }

    static AppendLog onFile(final Path file, final long blocks, final FileChannelBlockDevice.Durability durability,
        final int inFlight)
    {
        return AppendLog.open(new FileChannelBlockDevice(file, BLOCK_SIZE, blocks, durability, inFlight),
            MAX_RECORD_BLOCKS);
    }

    @FunctionalInterface
    interface LogFactory
    {
        AppendLog open();
    }

    /** Appends the records (up to inFlight at once), then reopens the log and checks what recovery finds. */
    static Result run(final String name, final LogFactory factory, final Options options)
    {
        final long[] latencies = new long[options.records];
        final long start;
        final long elapsed;
        final long before;
        try (AppendLog log = factory.open())
        {
            before = log.recovered();
            // Untimed appends first, so that neither side is measured while the JIT compiles its path.
            for (int i = 0; i < options.warmup; i++)
            {
                log.append(payload(before + i, options.recordBytes)).join();
            }
            @SuppressWarnings("unchecked")
            final CompletableFuture<Long>[] window = new CompletableFuture[options.inFlight];
            start = System.nanoTime();
            for (int i = 0; i < options.records; i++)
            {
                final int slot = i % options.inFlight;
                if (window[slot] != null)
                {
                    window[slot].join();
                }
                final long appended = System.nanoTime();
                final int index = i;
                window[slot] = log.append(payload(before + options.warmup + i, options.recordBytes))
                    .whenComplete((sequence, error) -> latencies[index] = System.nanoTime() - appended);
            }
            for (final CompletableFuture<Long> append : window)
            {
                if (append != null)
                {
                    append.join();
                }
            }
            elapsed = System.nanoTime() - start;
        }
        final long[] recovered = {0};
        final boolean[] match = {true};
        try (AppendLog log = factory.open())
        {
            log.forEach((sequence, payload) ->
            {
                recovered[0]++;
                match[0] &= Arrays.equals(payload, payload(sequence, options.recordBytes));
            });
            match[0] &= log.recovered() == recovered[0];
        }
        Arrays.sort(latencies);
        return new Result(name, options.warmup + options.records, options.records / (elapsed / 1e9),
            latencies[(int)Math.min(latencies.length - 1, latencies.length * 50L / 100)] / 1e3,
            latencies[(int)Math.min(latencies.length - 1, latencies.length * 99L / 100)] / 1e3,
            recovered[0] - before, match[0]);
    }

    /** The payload of record {@code sequence}: derived from it, so that recovery can check every byte. */
    static byte[] payload(final long sequence, final int bytes)
    {
        final byte[] payload = new byte[bytes];
        long x = sequence * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < bytes; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            payload[i] = (byte)x;
        }
        return payload;
    }

    /** The command line. */
    static final class Options
    {
        Path dir;
        int records = 1000;
        int recordBytes = 200;
        int inFlight = 1;
        int warmup = 200;
        FileChannelBlockDevice.Durability durability = FileChannelBlockDevice.Durability.DSYNC;

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                final String value = args[++i];
                switch (name)
                {
                    case "--dir" -> options.dir = Path.of(value);
                    case "--records" -> options.records = positive(name, value);
                    case "--record-bytes" -> options.recordBytes = positive(name, value);
                    case "--in-flight" -> options.inFlight = positive(name, value);
                    case "--warmup" -> options.warmup = number(name, value, 0);
                    case "--durability" -> options.durability = durability(value);
                    default -> throw new IllegalArgumentException("unknown option " + name +
                        " (options: --dir, --records, --record-bytes, --in-flight, --warmup, --durability)");
                }
            }
            final int maxPayload = MAX_RECORD_BLOCKS * BLOCK_SIZE - RecordFormat.HEADER_BYTES;
            if (options.recordBytes > maxPayload)
            {
                throw new IllegalArgumentException("--record-bytes is at most " + maxPayload + ", not " + options.recordBytes);
            }
            return options;
        }

        private static int positive(final String name, final String value)
        {
            return number(name, value, 1);
        }

        private static int number(final String name, final String value, final int min)
        {
            try
            {
                final int number = Integer.parseInt(value);
                if (number >= min)
                {
                    return number;
                }
            }
            catch (final NumberFormatException ex)
            {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a number >= " + min + ", not '" + value + "'");
        }

        private static FileChannelBlockDevice.Durability durability(final String value)
        {
            return switch (value)
            {
                case "dsync" -> FileChannelBlockDevice.Durability.DSYNC;
                case "force" -> FileChannelBlockDevice.Durability.FORCE;
                default -> throw new IllegalArgumentException("--durability is dsync or force, not '" + value + "'");
            };
        }
    }
}
