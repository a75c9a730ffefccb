package io.nvmeq.hw.emu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.BufferUtil;
import org.agrona.UnsafeAccess;

/**
 * Namespace data in an image file (see {@link ImageFile}), through positional FileChannel reads and
 * writes (safe from several threads at once). Durable once {@link #flush()} returns: that is what
 * Flush and FUA map to. Host memory is staged through a per-thread direct bounce buffer because
 * FileChannel only takes ByteBuffers; it is allocated once per queue thread, not per command.
 *
 * <p>Only a write creates an image: one that does not exist yet is created (with its geometry file,
 * at its full length, sparsely) by the first write that reaches it; until then every block reads as
 * zeroes. Opening, identifying, reading and writing zeroes leave the file as it was.
 *
 * <p>A failed {@code fsync} is final: the kernel may have dropped the dirty pages it could not write
 * and a later {@code fsync} then succeeds without them, so once one flush failed every later flush
 * of this store fails too (the lesson of PostgreSQL's "fsyncgate").
 */
final class FileStore implements BlockStore
{
    private static final int BOUNCE_SIZE = 256 * 1024;
    private static final ThreadLocal<ByteBuffer> BOUNCE =
        ThreadLocal.withInitial(() -> BufferUtil.allocateDirectAligned(BOUNCE_SIZE, EmulatedIommu.PAGE_SIZE));

    private final Path path;
    private final ImageLock lock;
    private final ImageGeometry geometry;
    /** Whether creating the image creates its geometry file too (not when that exists already). */
    private boolean recordGeometry;
    /** Null until the image exists. */
    private volatile FileChannel channel;
    private volatile String flushFailure;
    private boolean closed;

    /**
     * @param channel        the open, locked image, or null if it does not exist yet
     * @param geometry       what the image holds
     * @param recordGeometry whether creating the image must create its geometry file too
     */
    FileStore(final ImageLock lock, final FileChannel channel, final ImageGeometry geometry, final boolean recordGeometry)
    {
        this.path = lock.image();
        this.lock = lock;
        this.channel = channel;
        this.geometry = geometry;
        this.recordGeometry = recordGeometry;
    }

    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
        final FileChannel channel = this.channel;
        if (channel == null)
        {
            UnsafeAccess.UNSAFE.setMemory(hostAddress, length, (byte)0);
            return;
        }
        final ByteBuffer bounce = BOUNCE.get();
        final long bounceAddress = BufferUtil.address(bounce);
        long done = 0;
        try
        {
            while (done < length)
            {
                final int chunk = (int)Math.min(length - done, BOUNCE_SIZE);
                bounce.clear().limit(chunk);
                while (bounce.hasRemaining())
                {
                    if (channel.read(bounce, offset + done + bounce.position()) < 0)
                    {
                        // Past the end of the file: never written (or truncated), reads as zeroes.
                        UnsafeAccess.UNSAFE.setMemory(bounceAddress + bounce.position(), bounce.remaining(), (byte)0);
                        break;
                    }
                }
                UnsafeAccess.UNSAFE.copyMemory(bounceAddress, hostAddress + done, chunk);
                done += chunk;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read of " + path + " at " + offset + " failed", ex);
        }
    }

    @Override
    public void write(final long offset, final long hostAddress, final long length)
    {
        final ByteBuffer bounce = BOUNCE.get();
        final long bounceAddress = BufferUtil.address(bounce);
        long done = 0;
        try
        {
            final FileChannel channel = channelForWrite();
            while (done < length)
            {
                final int chunk = (int)Math.min(length - done, BOUNCE_SIZE);
                UnsafeAccess.UNSAFE.copyMemory(hostAddress + done, bounceAddress, chunk);
                bounce.clear().limit(chunk);
                while (bounce.hasRemaining())
                {
                    channel.write(bounce, offset + done + bounce.position());
                }
                done += chunk;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("write of " + path + " at " + offset + " failed", ex);
        }
    }

    @Override
    public void writeZeroes(final long offset, final long length)
    {
        final FileChannel channel = this.channel;
        if (channel == null)
        {
            // Not created yet: every block reads as zeroes already.
            return;
        }
        final ByteBuffer bounce = BOUNCE.get();
        long done = 0;
        try
        {
            // Past the end of the file (one nvmeq did not create) reads as zeroes already: zeroes there
            // would only grow it.
            final long end = Math.min(offset + length, channel.size());
            UnsafeAccess.UNSAFE.setMemory(BufferUtil.address(bounce), BOUNCE_SIZE, (byte)0);
            while (offset + done < end)
            {
                final int chunk = (int)Math.min(end - offset - done, BOUNCE_SIZE);
                bounce.clear().limit(chunk);
                while (bounce.hasRemaining())
                {
                    channel.write(bounce, offset + done + bounce.position());
                }
                done += chunk;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("write zeroes of " + path + " at " + offset + " failed", ex);
        }
    }

    @Override
    public void flush()
    {
        final String failure = flushFailure;
        if (failure != null)
        {
            throw new UncheckedIOException(new IOException("an earlier flush of " + path + " failed (" + failure +
                "): data written before it may be lost, so no later flush can promise durability"));
        }
        final FileChannel channel = this.channel;
        if (channel == null)
        {
            return;
        }
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            flushFailure = String.valueOf(ex.getMessage());
            throw new UncheckedIOException("flush of " + path + " failed", ex);
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("close of " + path + " failed", ex);
        }
        finally
        {
            // After the descriptor is closed: only then may another opener of this JVM open one.
            lock.close();
        }
    }

    private FileChannel channelForWrite() throws IOException
    {
        final FileChannel existing = channel;
        return existing != null ? existing : create();
    }

    /**
     * The first write to an image that does not exist: the geometry file first, so that an image never
     * exists without it, then the image at its full length (sparse: the holes read as zeroes), so that
     * QEMU, losetup and {@code ls} see its real size. If any step fails, what this call created is
     * removed again and the write fails.
     */
    private synchronized FileChannel create() throws IOException
    {
        if (channel != null)
        {
            return channel;
        }
        if (closed)
        {
            throw new IOException(path + " is closed");
        }
        final Path sidecar = ImageGeometry.sidecarOf(path);
        boolean createdSidecar = false;
        boolean locked = false;
        FileChannel created = null;
        try
        {
            if (recordGeometry)
            {
                geometry.create(sidecar, path);
                createdSidecar = true;
            }
            created = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            locked = lock.lock(created);
            if (!locked)
            {
                // Another opener found the new file and locked it first: it is theirs now, leave it.
                throw new IOException(path + " was opened and locked by another process as it was created");
            }
            created.write(ByteBuffer.wrap(new byte[1]), geometry.totalBytes() - 1);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (created != null)
            {
                created.close();
            }
            if (locked)
            {
                Files.deleteIfExists(path);
            }
            if (createdSidecar && (locked || created == null))
            {
                Files.deleteIfExists(sidecar);
            }
            throw ex;
        }
        recordGeometry = false;
        channel = created;
        return created;
    }
}
