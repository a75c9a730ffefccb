package io.nvmeq.hw.emu;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.UnsafeAccess;

/**
 * Namespace data in process memory, allocated sparsely: chunks of 2 MiB (anonymous memory on huge pages
 * where the kernel grants them, {@link StoreMemory}), each mapped on the first write that reaches it. A chunk never written reads as zeroes (as Identify
 * Namespace DLFEAT promises of a fresh namespace), so a large namespace costs only what is written,
 * and none of it counts against the direct-buffer limit.
 *
 * <p>Chunk addresses live in a two-level table (a directory of leaves of 4096 chunks, leaves allocated
 * on first write too), so the table of a 64 TiB namespace is 64 KiB until it is written. Larger
 * namespaces are refused at creation: their table alone would not fit a heap. Once a chunk exists, reads
 * and writes through it allocate nothing. Concurrent first writes from several queues race on a
 * compare-and-set; the loser frees its chunk and uses the winner's.
 */
final class MemoryStore implements BlockStore
{
    static final int DEFAULT_CHUNK_SHIFT = 21;
    private static final int LEAF_SHIFT = 12;
    private static final int LEAF_MASK = (1 << LEAF_SHIFT) - 1;
    private static final int MAX_DIRECTORY_SHIFT = 13;
    /** The largest in-memory namespace: 2^13 leaves of 2^12 chunks of 2 MiB = 64 TiB. */
    static final long MAX_BYTES = 1L << (DEFAULT_CHUNK_SHIFT + LEAF_SHIFT + MAX_DIRECTORY_SHIFT);

    private final int chunkShift;
    private final long chunkSize;
    private final long size;
    private final AtomicReferenceArray<AtomicLongArray> directory;
    private boolean closed;

    MemoryStore(final long size)
    {
        this(size, DEFAULT_CHUNK_SHIFT);
    }

    /** With chunks of 2^chunkShift bytes; tests use small chunks to cross chunk boundaries cheaply. */
    MemoryStore(final long size, final int chunkShift)
    {
        final long max = 1L << (chunkShift + LEAF_SHIFT + MAX_DIRECTORY_SHIFT);
        if (size <= 0 || size > max)
        {
            throw new IllegalArgumentException(
                "an in-memory namespace holds 1 byte to " + max + " bytes (64 TiB), not " + size);
        }
        this.chunkShift = chunkShift;
        this.chunkSize = 1L << chunkShift;
        this.size = size;
        final long chunks = (size + chunkSize - 1) >>> chunkShift;
        directory = new AtomicReferenceArray<>((int)((chunks + LEAF_MASK) >>> LEAF_SHIFT));
    }

    @Override
    public void read(final long offset, final long hostAddress, final long length)
    {
        checkRange(offset, length);
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long piece = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            final long chunk = chunkOrZero(at);
            if (chunk == 0)
            {
                UnsafeAccess.UNSAFE.setMemory(hostAddress + done, piece, (byte)0);
            }
            else
            {
                UnsafeAccess.UNSAFE.copyMemory(chunk + (at & (chunkSize - 1)), hostAddress + done, piece);
            }
            done += piece;
        }
    }

    @Override
    public void write(final long offset, final long hostAddress, final long length)
    {
        checkRange(offset, length);
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long piece = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            UnsafeAccess.UNSAFE.copyMemory(hostAddress + done, chunkForWrite(at) + (at & (chunkSize - 1)), piece);
            done += piece;
        }
    }

    @Override
    public void writeZeroes(final long offset, final long length)
    {
        checkRange(offset, length);
        long done = 0;
        while (done < length)
        {
            final long at = offset + done;
            final long piece = Math.min(length - done, chunkSize - (at & (chunkSize - 1)));
            final long chunk = chunkOrZero(at);
            // A chunk never written reads as zeroes already: zeroes allocate nothing.
            if (chunk != 0)
            {
                UnsafeAccess.UNSAFE.setMemory(chunk + (at & (chunkSize - 1)), piece, (byte)0);
            }
            done += piece;
        }
    }

    @Override
    public void flush()
    {
        // Nothing outlives the process; completed writes are already visible to every queue.
    }

    /** Bytes of chunks allocated so far (what the namespace costs in memory). */
    long allocatedBytes()
    {
        long bytes = 0;
        for (int i = 0; i < directory.length(); i++)
        {
            final AtomicLongArray leaf = directory.get(i);
            for (int j = 0; leaf != null && j < leaf.length(); j++)
            {
                bytes += leaf.get(j) != 0 ? chunkBytes(((long)i << LEAF_SHIFT) + j) : 0;
            }
        }
        return bytes;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < directory.length(); i++)
        {
            final AtomicLongArray leaf = directory.getAndSet(i, null);
            for (int j = 0; leaf != null && j < leaf.length(); j++)
            {
                final long chunk = leaf.getAndSet(j, 0);
                if (chunk != 0)
                {
                    StoreMemory.unmap(chunk, chunkBytes(((long)i << LEAF_SHIFT) + j));
                }
            }
        }
    }

    private void checkRange(final long offset, final long length)
    {
        if (offset < 0 || length < 0 || length > size - offset)
        {
            throw new IndexOutOfBoundsException("store range [" + offset + ", +" + length + ") outside [0, " + size + ")");
        }
    }

    /** The chunk holding byte {@code at}, or 0 if none was written yet. */
    private long chunkOrZero(final long at)
    {
        final long index = at >>> chunkShift;
        final AtomicLongArray leaf = directory.get((int)(index >>> LEAF_SHIFT));
        return leaf == null ? 0 : leaf.get((int)(index & LEAF_MASK));
    }

    private long chunkForWrite(final long at)
    {
        final long index = at >>> chunkShift;
        final int leafIndex = (int)(index >>> LEAF_SHIFT);
        AtomicLongArray leaf = directory.get(leafIndex);
        if (leaf == null)
        {
            directory.compareAndSet(leafIndex, null, new AtomicLongArray(1 << LEAF_SHIFT));
            leaf = directory.get(leafIndex);
        }
        final int slot = (int)(index & LEAF_MASK);
        final long chunk = leaf.get(slot);
        return chunk != 0 ? chunk : allocate(leaf, slot, index);
    }

    private long allocate(final AtomicLongArray leaf, final int slot, final long index)
    {
        final long bytes = chunkBytes(index);
        // Zeroed by the kernel as it maps it; a failure is an UncheckedIOException (a failed write).
        final long chunk = StoreMemory.map(bytes);
        if (leaf.compareAndSet(slot, 0, chunk))
        {
            return chunk;
        }
        StoreMemory.unmap(chunk, bytes);
        return leaf.get(slot);
    }

    private long chunkBytes(final long index)
    {
        return Math.min(chunkSize, size - (index << chunkShift));
    }
}
