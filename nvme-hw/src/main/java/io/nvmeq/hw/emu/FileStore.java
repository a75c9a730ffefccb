package io.nvmeq.hw.emu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.BufferUtil;
import org.agrona.UnsafeAccess;

/**
 * Namespace data in a file, through positional FileChannel reads and writes (safe from several
 * threads at once). Durable once {@link #flush()} returns: that is what Flush and FUA map to.
 * Host memory is staged through a per-thread direct bounce buffer because FileChannel only takes
 * ByteBuffers; it is allocated once per queue thread, not per command.
 */
final class FileStore implements BlockStore
{
    private static final int BOUNCE_SIZE = 256 * 1024;
    private static final ThreadLocal<ByteBuffer> BOUNCE =
        ThreadLocal.withInitial(() -> BufferUtil.allocateDirectAligned(BOUNCE_SIZE, EmulatedIommu.PAGE_SIZE));

    private final Path path;
    private final FileChannel channel;

    FileStore(final Path path, final long size)
    {
        this.path = path;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (channel.size() < size)
            {
                // Extend sparsely: the unwritten part reads as zeroes.
                channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + path + " as the backing file of an emulated controller", ex);
        }
    }

    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
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
                        // Past the end of a file someone truncated: unwritten data reads as zeroes.
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
        final ByteBuffer bounce = BOUNCE.get();
        long done = 0;
        try
        {
            UnsafeAccess.UNSAFE.setMemory(BufferUtil.address(bounce), BOUNCE_SIZE, (byte)0);
            while (done < length)
            {
                final int chunk = (int)Math.min(length - done, BOUNCE_SIZE);
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
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("flush of " + path + " failed", ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("close of " + path + " failed", ex);
        }
    }
}
