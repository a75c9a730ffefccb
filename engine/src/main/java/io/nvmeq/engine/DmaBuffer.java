package io.nvmeq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.dma.DmaMemory;

/**
 * Pinned, page-aligned host memory mapped for the device at a fixed IOVA: I/O into it is zero-copy.
 * The driver's own rings and PRP list pages are DmaBuffers too.
 *
 * <p><b>Identity.</b> A request names its buffer by this object, never by its IOVA: once a buffer is
 * closed its IOVA goes back to the controller's allocator and the next allocation may get it, so an
 * IOVA alone says nothing about whose memory it is. Each buffer also carries an allocation number
 * ({@link #id()}, never reused in a JVM) for messages. A queue pair {@linkplain #acquire takes} the
 * buffer for each request and refuses, with {@link InvalidRequestException} and before anything reaches
 * the device, a buffer that
 * <ul>
 *   <li>is closed or being closed (its IOVA may already belong to someone else), or</li>
 *   <li>belongs to another controller (every controller hands out the same IOVAs, so this buffer's
 *       IOVA means another buffer's memory there). It is not bounced or mapped instead: a DmaBuffer is
 *       memory pinned for one controller, and using it on another is a mistake worth hearing about.</li>
 * </ul>
 * A buffer is mapped before it exists as an object, so no request can name a buffer not yet mapped.
 *
 * <p><b>Closing while in use.</b> {@link #close()} never waits and never fails: a buffer that requests
 * still use is marked closing (new requests naming it are refused at once) and is unmapped and freed by
 * the completion of the last of them, so the device never reaches memory that was freed or handed on.
 *
 * <p>Threads: acquire, release and close are lock-free and may race from any threads.
 */
public final class DmaBuffer implements AutoCloseable
{
    private static final AtomicLong ALLOCATIONS = new AtomicLong();
    private static final VarHandle STATE;
    /** Set in {@link #state} once close() was called; the low bits count the requests using the buffer. */
    private static final long CLOSING = 1L << 40;
    /** Terminal: unmapped and freed. */
    private static final long RELEASED = -1;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(DmaBuffer.class, "state", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final DmaMemory memory;
    private final IovaSpace space;
    private final long iova;
    private final int capacity;
    private final boolean registered;
    private final UnsafeBuffer buffer;
    private final long id = ALLOCATIONS.incrementAndGet();
    /** Requests using the buffer, plus {@link #CLOSING}; or {@link #RELEASED}. */
    @SuppressWarnings("unused")
    private volatile long state;

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

    /** The allocation number: unique among the buffers of this JVM, never reused. */
    public long id()
    {
        return id;
    }

    /** The I/O virtual address of byte 0, as the device sees it while the buffer is open. */
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

    /** Whether {@link #close()} was called (the memory may still be in use by requests until they complete). */
    public boolean isClosed()
    {
        // RELEASED (all ones) has the CLOSING bit too.
        return ((long)STATE.getVolatile(this) & CLOSING) != 0;
    }

    /** Requests using the buffer now (for tests and diagnostics). */
    int users()
    {
        final long current = (long)STATE.getVolatile(this);
        return current == RELEASED ? 0 : (int)(current & (CLOSING - 1));
    }

    /**
     * Takes the buffer for one request on a queue pair of the controller owning {@code owner}: the
     * buffer stays mapped until the matching {@link #release()}.
     *
     * @return this buffer
     * @throws InvalidRequestException if the buffer is closed, being closed, or another controller's
     */
    DmaBuffer acquire(final IovaSpace owner)
    {
        if (owner != space)
        {
            throw new InvalidRequestException(this + " belongs to another controller: its IOVA 0x"
                + Long.toHexString(iova) + " means other memory here; allocate buffers from the controller that uses them");
        }
        while (true)
        {
            final long current = (long)STATE.getVolatile(this);
            if ((current & CLOSING) != 0)
            {
                throw new InvalidRequestException(this + " is closed: its memory and IOVA may belong to another " +
                    "buffer now; nothing was sent");
            }
            if (STATE.compareAndSet(this, current, current + 1))
            {
                return this;
            }
        }
    }

    /** The device is done with the request that {@link #acquire acquired} the buffer; the last user of a closing buffer frees it. */
    void release()
    {
        final long after = (long)STATE.getAndAdd(this, -1L) - 1;
        if (after == CLOSING)
        {
            free();
        }
    }

    /**
     * Unmaps the buffer from the IOMMU, then frees it, once no request uses it: now if none does, else
     * when the last completes (new requests naming it are refused from now on). Idempotent.
     */
    @Override
    public void close()
    {
        while (true)
        {
            final long current = (long)STATE.getVolatile(this);
            if ((current & CLOSING) != 0)
            {
                return;
            }
            if (current == 0)
            {
                if (STATE.compareAndSet(this, 0L, CLOSING))
                {
                    free();
                    return;
                }
            }
            else if (STATE.compareAndSet(this, current, current | CLOSING))
            {
                return;
            }
        }
    }

    /** Unmap first, so that the device can never reach freed memory. */
    private void free()
    {
        STATE.setVolatile(this, RELEASED);
        space.release(this);
        memory.close();
    }

    @Override
    public String toString()
    {
        return "DmaBuffer#" + id + "{capacity=" + capacity + ", iova=0x" + Long.toHexString(iova) + '}';
    }
}
