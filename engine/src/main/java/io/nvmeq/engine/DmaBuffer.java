package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.dma.DmaMemory;

/**
 * Pinned, page-aligned host memory mapped for the device at a fixed IOVA: I/O into it is zero-copy.
 * The driver's own rings and PRP list pages are DmaBuffers too. Closing unmaps it from the IOMMU first,
 * then frees it, so the device can never reach freed memory.
 */
public final class DmaBuffer implements AutoCloseable
{
    private final DmaMemory memory;
    private final IovaSpace space;
    private final long iova;
    private final int capacity;
    private final boolean registered;
    private final UnsafeBuffer buffer;
    private boolean closed;

    DmaBuffer(final DmaMemory memory, final IovaSpace space, final long iova, final int capacity, final boolean registered)
    {
        this.memory = memory;
        this.space = space;
        this.iova = iova;
        this.capacity = capacity;
        this.registered = registered;
        this.buffer = new UnsafeBuffer(memory.address(), capacity);
    }

    /** The memory as an Agrona buffer of {@link #capacity()} bytes. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public int capacity()
    {
        return capacity;
    }

    /** The I/O virtual address of byte 0, as the device sees it. */
    public long iova()
    {
        return iova;
    }

    /** The host virtual address of byte 0. */
    public long address()
    {
        return memory.address();
    }

    /** Whether lookups by host address find this buffer (every buffer handed to applications). */
    boolean isRegistered()
    {
        return registered;
    }

    /** Bytes mapped for the device: the capacity rounded up to whole pages. */
    long mappedLength()
    {
        return memory.length();
    }

    public synchronized boolean isClosed()
    {
        return closed;
    }

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            space.release(this);
            memory.close();
        }
    }

    @Override
    public String toString()
    {
        return "DmaBuffer{capacity=" + capacity + ", iova=0x" + Long.toHexString(iova) + '}';
    }
}
