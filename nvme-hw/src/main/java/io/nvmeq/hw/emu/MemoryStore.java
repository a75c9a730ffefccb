package io.nvmeq.hw.emu;

import org.agrona.UnsafeAccess;

/**
 * Namespace data in process memory, allocated off-heap in 1 GiB chunks so that stores above 2 GiB
 * work and none of it counts against the direct-buffer limit. Zeroed on creation (a fresh namespace
 * reads as zeroes, as Identify Namespace DLFEAT promises); all of it is committed up front.
 */
final class MemoryStore implements BlockStore
{
    private static final int DEFAULT_chunkShift = 30;

    private final int chunkShift;
    private final long chunkSize;
    private final long size;
    private final long[] chunks;
    private boolean closed;

    MemoryStore(final long size)
    {
        this(size, DEFAULT_chunkShift);
    }

    /** With chunks of 2^chunkShift bytes; tests use small chunks to cross chunk boundaries cheaply. */
    MemoryStore(final long size, final int chunkShift)
    {
        this.chunkShift = chunkShift;
        this.chunkSize = 1L << chunkShift;
        if (size <= 0)
        {
            throw new IllegalArgumentException("store size must be positive: " + size);
        }
        this.size = size;
        final int count = (int)((size + chunkSize - 1) >>> chunkShift);
        chunks = new long[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                final long chunkBytes = Math.min(chunkSize, size - ((long)i << chunkShift));
                chunks[i] = UnsafeAccess.UNSAFE.allocateMemory(chunkBytes);
                UnsafeAccess.UNSAFE.setMemory(chunks[i], chunkBytes, (byte)0);
            }
        }
        catch (final OutOfMemoryError ex)
        {
            close();
            throw new IllegalStateException("cannot allocate " + size + " bytes for an in-memory namespace", ex);
        }
    }

    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long chunk = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            UnsafeAccess.UNSAFE.copyMemory(address(at), hostAddress + done, chunk);
            done += chunk;
        }
    }

    @Override
    public void write(final long offset, final long hostAddress, final long length)
    {
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long chunk = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            UnsafeAccess.UNSAFE.copyMemory(hostAddress + done, address(at), chunk);
            done += chunk;
        }
    }

    @Override
    public void writeZeroes(final long offset, final long length)
    {
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long chunk = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            UnsafeAccess.UNSAFE.setMemory(address(at), chunk, (byte)0);
            done += chunk;
        }
    }

    @Override
    public void flush()
    {
        // Nothing outlives the process; completed writes are already visible to every queue.
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < chunks.length; i++)
        {
            if (chunks[i] != 0)
            {
                UnsafeAccess.UNSAFE.freeMemory(chunks[i]);
                chunks[i] = 0;
            }
        }
    }

    private long address(final long offset)
    {
        if (offset < 0 || offset >= size)
        {
            throw new IndexOutOfBoundsException("store offset " + offset + " outside [0, " + size + ")");
        }
        return chunks[(int)(offset >>> chunkShift)] + (offset & (chunkSize - 1));
    }
}
