package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;

/**
 * The server's block buffers: one {@link DmaBuffer} of the served controller (mapped for its device at a fixed
 * IOVA, so I/O into it is zero-copy, never bounced by the queue pair), handed out in runs of 4 KiB pages. A
 * write's data is deserialized straight into a lease and the device reads it there; a read's data is written
 * there by the device and serialized from there onto the wire: block data is copied once between the socket's
 * frame and the device's memory, each way.
 *
 * <p>When every page is leased, {@link #lease} answers null and the request is refused with "nothing was
 * sent" (never queued without bound, never lost). A lease goes back when its request is answered: for a write
 * when the device completed it, for a read when its data was serialized (or its message dropped undelivered).
 *
 * <p>Threads: leases are taken on the server node's thread and given back from there, from the queue pair's
 * thread and from Artery's streams; one lock, held for a bitmap scan.
 */
final class DmaBlockPool implements AutoCloseable
{
    static final int PAGE = 4096;

    private final DmaBuffer memory;
    private final int pages;
    /** Bit i set: page i is free. */
    private final long[] free;
    private final AtomicLong refusals = new AtomicLong();
    private int cursor;
    private int leased;

    private DmaBlockPool(final DmaBuffer memory, final int pages)
    {
        this.memory = memory;
        this.pages = pages;
        this.free = new long[(pages + 63) / 64];
        for (int i = 0; i < pages; i++)
        {
            free[i >>> 6] |= 1L << i;
        }
    }

    /**
     * @param bytes the pool's size, at least {@code largest} (rounded up to pages)
     * @param largest the most data one request carries
     */
    static DmaBlockPool allocate(final Nvmeq nvmeq, final long bytes, final int largest)
    {
        final long size = Math.max(bytes, largest);
        final int pages = (int)Math.min(Integer.MAX_VALUE / PAGE, (size + PAGE - 1) / PAGE);
        return new DmaBlockPool(nvmeq.allocate(pages * PAGE), pages);
    }

    /** A run of pages holding {@code length} bytes, or null when there is none free now. */
    Lease lease(final int length)
    {
        final int wanted = Math.max(1, (length + PAGE - 1) / PAGE);
        synchronized (this)
        {
            int run = 0;
            for (int n = 0, i = cursor; n < pages + wanted; n++, i = i + 1 == pages ? 0 : i + 1)
            {
                if (i == 0)
                {
                    run = 0;    // a run never wraps around the end of the buffer
                }
                if ((free[i >>> 6] & (1L << i)) == 0)
                {
                    run = 0;
                    continue;
                }
                if (++run == wanted)
                {
                    final int first = i - wanted + 1;
                    for (int p = first; p <= i; p++)
                    {
                        free[p >>> 6] &= ~(1L << p);
                    }
                    leased += wanted;
                    cursor = i + 1 == pages ? 0 : i + 1;
                    return new Lease(this, first, wanted, length);
                }
            }
        }
        refusals.incrementAndGet();
        return null;
    }

    private synchronized void release(final int first, final int count)
    {
        for (int p = first; p < first + count; p++)
        {
            free[p >>> 6] |= 1L << p;
        }
        leased -= count;
    }

    /** Pages leased now. */
    synchronized int leasedPages()
    {
        return leased;
    }

    int pages()
    {
        return pages;
    }

    /** Requests refused so far because no run of pages was free. */
    long refusals()
    {
        return refusals.get();
    }

    /** Frees the DMA buffer (after the last request still using it, see {@link DmaBuffer#close()}). */
    @Override
    public void close()
    {
        memory.close();
    }

    /** Pages of the pool, leased to one request until {@link #release()}. */
    static final class Lease implements BlockData
    {
        private final DmaBlockPool pool;
        private final int first;
        private final int count;
        private final int length;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(final DmaBlockPool pool, final int first, final int count, final int length)
        {
            this.pool = pool;
            this.first = first;
            this.count = count;
            this.length = length;
        }

        /** The pool's DMA buffer: the lease's bytes start at {@link #offset()}. */
        DmaBuffer buffer()
        {
            return pool.memory;
        }

        int offset()
        {
            return first * PAGE;
        }

        @Override
        public int length()
        {
            return length;
        }

        /** Fills the lease from {@code frame} at its position, which it advances. */
        void copyFrom(final ByteBuffer frame)
        {
            pool.memory.buffer().putBytes(offset(), frame, frame.position(), length);
            frame.position(frame.position() + length);
        }

        @Override
        public void copyTo(final ByteBuffer frame)
        {
            pool.memory.buffer().getBytes(offset(), frame, frame.position(), length);
            frame.position(frame.position() + length);
        }

        /** Gives the pages back; only the first call counts. */
        void release()
        {
            if (released.compareAndSet(false, true))
            {
                pool.release(first, count);
            }
        }

        @Override
        public String toString()
        {
            return "Lease{pages " + first + "+" + count + ", " + length + " bytes}";
        }
    }
}
