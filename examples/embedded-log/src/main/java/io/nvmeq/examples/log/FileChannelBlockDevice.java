package io.nvmeq.examples.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A file as the log's block device: the baseline the nvmeq log is measured against. Durable writes are
 * positional writes on a channel opened with {@code DSYNC} (each write returns once its data is on stable
 * storage) or, in {@link Durability#FORCE} mode, a write followed by {@code force(false)}. Up to
 * {@code maxInFlight} writes run at once, each on a thread of its own, as nvmeq has that many commands in
 * flight.
 */
final class FileChannelBlockDevice implements BlockDevice
{
    /** How a write is made durable. */
    enum Durability
    {
        DSYNC, FORCE
    }

    private final FileChannel channel;
    private final int blockSize;
    private final long blocks;
    private final Durability durability;
    private final ExecutorService writers;
    private final Semaphore inFlight;

    FileChannelBlockDevice(final Path file, final int blockSize, final long blocks, final Durability durability,
        final int maxInFlight)
    {
        final Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (durability == Durability.DSYNC)
        {
            options.add(StandardOpenOption.DSYNC);
        }
        try
        {
            this.channel = FileChannel.open(file, options);
            // Sized up front, as the emulated controller's image file is: an append then never extends the
            // file, so a durable write need not also commit a new file length.
            if (channel.size() < blocks * blockSize)
            {
                channel.write(ByteBuffer.allocate(1), blocks * blockSize - 1);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.durability = durability;
        this.writers = Executors.newFixedThreadPool(maxInFlight, runnable ->
        {
            final Thread thread = new Thread(runnable, "file-log-writer");
            thread.setDaemon(true);
            return thread;
        });
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    public int blockSize()
    {
        return blockSize;
    }

    @Override
    public long blocks()
    {
        return blocks;
    }

    @Override
    public CompletableFuture<Void> writeDurable(final long lba, final byte[] data, final int count)
    {
        final ByteBuffer source = ByteBuffer.allocate(count * blockSize).put(data, 0, count * blockSize).flip();
        inFlight.acquireUninterruptibly();
        return CompletableFuture.runAsync(() ->
        {
            try
            {
                long position = lba * blockSize;
                while (source.hasRemaining())
                {
                    position += channel.write(source, position);
                }
                if (durability == Durability.FORCE)
                {
                    channel.force(false);
                }
            }
            catch (final IOException ex)
            {
                throw new CompletionException(ex);
            }
            finally
            {
                inFlight.release();
            }
        }, writers);
    }

    @Override
    public void read(final long lba, final byte[] into, final int count)
    {
        final ByteBuffer target = ByteBuffer.wrap(into, 0, count * blockSize);
        try
        {
            long position = lba * blockSize;
            while (target.hasRemaining())
            {
                final int read = channel.read(target, position);
                if (read < 0)
                {
                    // Past the end of the file: never written, reads as zeroes (as an unwritten block does).
                    while (target.hasRemaining())
                    {
                        target.put((byte)0);
                    }
                    break;
                }
                position += read;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read at block " + lba + " failed", ex);
        }
    }

    @Override
    public void close()
    {
        writers.shutdown();
        try
        {
            // Writes still running finish first: a log closes only with its appends answered.
            if (!writers.awaitTermination(60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("writes to the log file did not finish within 60 s");
            }
            channel.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
