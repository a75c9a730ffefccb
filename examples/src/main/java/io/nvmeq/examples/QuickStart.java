package io.nvmeq.examples;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The first program to run, and the one to copy: it uses nothing but nvmeq's public API. It opens a device
 * (the configured {@code nvmeq.device}, by default the emulated controller {@code emu:memory?size=64m}),
 * writes a pseudo-random pattern with commands dealt round-robin over every queue pair and many in flight,
 * flushes, reads it all back and checks it byte for byte. Exit status 0 when the data matches, 3 when it
 * does not, 1 when an operation fails.
 *
 * <pre>
 * java -jar examples/target/nvmeq.jar quickstart [--device URI] [--queue-pairs N]
 * java -cp examples/target/nvmeq.jar io.nvmeq.examples.QuickStart [URI]
 * </pre>
 */
public final class QuickStart
{
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int MISMATCH = 3;

    /** How much of the first namespace is written and read: 4 MiB, or the whole namespace when smaller. */
    static final long REGION_BYTES = 4L << 20;
    static final int COMMAND_BYTES = 64 * 1024;
    static final int COMMANDS_PER_QUEUE_PAIR = 8;
    static final long SEED = 20240917L;
    static final long COMMAND_TIMEOUT_SECONDS = 30;

    private QuickStart()
    {
    }

    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
        int status;
        try
        {
            final NvmeqSettings settings = NvmeqSettings.load();
            status = run(args.length > 0 ? settings.withDevice(args[0]) : settings, out);
        }
        catch (final RuntimeException ex)
        {
            out.flush();
            System.err.println("quickstart: " + ex.getMessage());
            status = FAILED;
        }
        System.exit(status);
    }

    /**
     * Runs the quick start on the device of {@code settings}, reporting to {@code out}.
     *
     * @return {@link #OK} or {@link #MISMATCH}
     * @throws RuntimeException the library's typed exception when an operation fails
     */
    public static int run(final NvmeqSettings settings, final PrintWriter out)
    {
        try (Nvmeq nvmeq = Nvmeq.open(settings))
        {
            final ControllerInfo controller = nvmeq.controller();
            final NamespaceInfo namespace = nvmeq.namespaces().get(0);
            final int nsid = namespace.nsid();
            final int blockSize = namespace.blockSize();
            final long blocks = Math.min(namespace.bytes(), REGION_BYTES) / blockSize;
            final int queuePairs = nvmeq.queuePairs();
            final int window = queuePairs * COMMANDS_PER_QUEUE_PAIR;
            final int commandBytes = controller.maxTransferBytes() > 0 ?
                (int)Math.min(COMMAND_BYTES, controller.maxTransferBytes()) : COMMAND_BYTES;
            final int blocksPerCommand = Math.max(1, commandBytes / blockSize);
            final long commands = (blocks + blocksPerCommand - 1) / blocksPerCommand;

            out.printf("nvmeq quickstart%n");
            out.printf("  device      : %s%n", settings.device());
            out.printf("  controller  : %s, serial %s, firmware %s, NVMe %s%n",
                controller.model(), controller.serial(), controller.firmware(), controller.version());
            out.printf("  namespace %d : %d blocks of %d bytes (%s)%n",
                nsid, namespace.blocks(), blockSize, bytes(namespace.bytes()));

            // One DMA buffer per command in flight; command i uses buffer i % window once command i - window
            // has been answered, so no buffer is refilled while the device may still read or write it.
            final DmaBuffer[] buffers = new DmaBuffer[window];
            final CompletableFuture<?>[] inFlight = new CompletableFuture<?>[window];
            for (int slot = 0; slot < window; slot++)
            {
                buffers[slot] = nvmeq.allocate(blocksPerCommand * blockSize);
            }
            try
            {
                for (long command = 0; command < commands; command++)
                {
                    final int slot = (int)(command % window);
                    await(inFlight[slot], "Write");
                    final long lba = command * blocksPerCommand;
                    final int count = (int)Math.min(blocksPerCommand, blocks - lba);
                    fill(buffers[slot], count * blockSize, lba * blockSize);
                    // The facade sends all requests of one thread to one queue pair unless told which.
                    final int queue = (int)(command % queuePairs);
                    inFlight[slot] = nvmeq.queue(queue).write(nsid, lba, count, buffers[slot], 0, false).toCompletableFuture();
                }
                awaitAll(inFlight, "Write");
                out.printf("  queue pairs : %d, commands per queue pair: %s (up to %d in flight)%n",
                    queuePairs, perQueue(commands, queuePairs), window);
                out.printf("  wrote       : %d blocks (%s) from LBA 0, pattern random:%d, in %d commands of up to %d blocks%n",
                    blocks, bytes(blocks * blockSize), SEED, commands, blocksPerCommand);

                await(nvmeq.flush(nsid).toCompletableFuture(), "Flush of namespace " + nsid);
                out.printf("  flushed     : namespace %d%n", nsid);

                long firstMismatch = -1;
                long mismatchedBytes = 0;
                final long[] lbas = new long[window];
                for (long command = 0; command < commands + window; command++)
                {
                    final int slot = (int)(command % window);
                    if (command >= window)
                    {
                        // Check what the command in this slot read before the slot is used again.
                        await(inFlight[slot], "Read");
                        final long lba = lbas[slot];
                        final int length = (int)Math.min(blocksPerCommand, blocks - lba) * blockSize;
                        final long[] mismatch = compare(buffers[slot], length, lba * blockSize);
                        if (mismatch[1] > 0 && firstMismatch < 0)
                        {
                            firstMismatch = mismatch[0];
                        }
                        mismatchedBytes += mismatch[1];
                    }
                    if (command < commands)
                    {
                        final long lba = command * blocksPerCommand;
                        lbas[slot] = lba;
                        final int count = (int)Math.min(blocksPerCommand, blocks - lba);
                        inFlight[slot] = nvmeq.queue((int)(command % queuePairs)).read(nsid, lba, count, buffers[slot], 0)
                            .toCompletableFuture();
                    }
                    else
                    {
                        inFlight[slot] = null;
                    }
                }
                out.printf("  read back   : %d blocks (%s) in %d commands%n", blocks, bytes(blocks * blockSize), commands);

                if (firstMismatch >= 0)
                {
                    out.printf("  verified    : MISMATCH: %d bytes differ, the first at byte %d (LBA %d)%n",
                        mismatchedBytes, firstMismatch, firstMismatch / blockSize);
                    out.flush();
                    return MISMATCH;
                }
                out.printf("  verified    : OK, all %d bytes read back as written%n", blocks * blockSize);
                out.flush();
                return OK;
            }
            finally
            {
                // A buffer whose command is still in flight (after a failure) stays allocated until close()
                // releases the device: the controller may still write into it.
                for (int slot = 0; slot < window; slot++)
                {
                    if (inFlight[slot] == null || inFlight[slot].isDone())
                    {
                        buffers[slot].close();
                    }
                }
            }
        }
    }

    /** The pattern: 8 bytes per 8-byte word of the region, a mix of the seed and the word's position. */
    static long patternWord(final long position)
    {
        long z = SEED + (position >>> 3) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void fill(final DmaBuffer buffer, final int length, final long position)
    {
        for (int i = 0; i < length; i += Long.BYTES)
        {
            buffer.buffer().putLong(i, patternWord(position + i));
        }
    }

    /** {first mismatching byte position or -1, number of mismatching bytes}. */
    private static long[] compare(final DmaBuffer buffer, final int length, final long position)
    {
        long first = -1;
        long count = 0;
        for (int i = 0; i < length; i += Long.BYTES)
        {
            final long expected = patternWord(position + i);
            final long actual = buffer.buffer().getLong(i);
            if (actual != expected)
            {
                for (int b = 0; b < Long.BYTES; b++)
                {
                    if ((byte)(actual >>> (8 * b)) != (byte)(expected >>> (8 * b)))
                    {
                        first = first < 0 ? position + i + b : first;
                        count++;
                    }
                }
            }
        }
        return new long[] {first, count};
    }

    private static void awaitAll(final CompletableFuture<?>[] stages, final String what)
    {
        for (final CompletableFuture<?> stage : stages)
        {
            await(stage, what);
        }
    }

    /** Waits for one request; a failure is rethrown as the library's typed exception. */
    private static void await(final CompletionStage<?> stage, final String what)
    {
        if (stage == null)
        {
            return;
        }
        try
        {
            stage.toCompletableFuture().get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException failure)
            {
                throw failure;
            }
            throw new IllegalStateException(what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(what + " was not answered within " + COMMAND_TIMEOUT_SECONDS + " s", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, ex);
        }
    }

    private static String perQueue(final long commands, final int queuePairs)
    {
        final StringBuilder counts = new StringBuilder();
        for (int queue = 0; queue < queuePairs; queue++)
        {
            final long count = commands / queuePairs + (queue < commands % queuePairs ? 1 : 0);
            counts.append(queue == 0 ? "" : ", ").append(count);
        }
        return counts.toString();
    }

    private static String bytes(final long bytes)
    {
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0)
        {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0)
        {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
