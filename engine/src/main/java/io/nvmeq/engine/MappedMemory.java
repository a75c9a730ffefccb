package io.nvmeq.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Host memory mapped for the device at a fixed IOVA that requests hold while the device may use it: a
 * {@link DmaBuffer} or a {@link RegisteredBuffer}. A queue pair {@linkplain #acquireFor takes} it for each
 * request that names it (directly, or as a ByteBuffer found by host address) and its request table lets
 * go when the request is answered; closing marks it closing and the last user unmaps it ({@link #free}),
 * so that the device never reaches memory whose IOVA was handed on.
 *
 * <p>Threads: acquire, release and close are lock-free and may race from any threads.
 */
abstract class MappedMemory
{
    private static final VarHandle STATE;
    /** Set in {@link #state} once close() was called; the low bits count the requests using the memory. */
    private static final long CLOSING = 1L << 40;
    /** Terminal: unmapped (and freed, if it was the driver's). */
    private static final long RELEASED = -1;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(MappedMemory.class, "state", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** The IOVA space (of one controller) that mapped it. */
    final IovaSpace space;
    /** Requests using the memory, plus {@link #CLOSING}; or {@link #RELEASED}. */
    @SuppressWarnings("unused")
    private volatile long state;

    MappedMemory(final IovaSpace space)
    {
        this.space = space;
    }

    /** Unmaps the memory (and frees it if it is the driver's); called once, when closed and unused. */
    abstract void free();

    /** The IOVA at which the device reaches host byte {@code hostAddress} of this memory. */
    abstract long iovaAt(long hostAddress);

    /** Whether close was called (the memory may still be in use by requests until they complete). */
    final boolean closing()
    {
        // RELEASED (all ones) has the CLOSING bit too.
        return ((long)STATE.getVolatile(this) & CLOSING) != 0;
    }

    /** Requests using the memory now (for tests and diagnostics). */
    final int users()
    {
        final long current = (long)STATE.getVolatile(this);
        return current == RELEASED ? 0 : (int)(current & (CLOSING - 1));
    }

    /**
     * Takes the memory for one request on a queue pair of the controller owning {@code owner}: it stays
     * mapped until the matching {@link #release()}.
     *
     * @throws InvalidRequestException if it is closed, being closed, or another controller's
     */
    final void acquireFor(final IovaSpace owner)
    {
        if (owner != space)
        {
            throw new InvalidRequestException(this + " belongs to another controller: its IOVA means other memory " +
                "here; allocate or register memory with the controller that uses it");
        }
        while (true)
        {
            final long current = (long)STATE.getVolatile(this);
            if ((current & CLOSING) != 0)
            {
                throw new InvalidRequestException(this + " is closed or being closed: its IOVA may belong to other " +
                    "memory now; nothing was sent");
            }
            if (STATE.compareAndSet(this, current, current + 1))
            {
                return;
            }
        }
    }

    /** The device is done with the request that {@link #acquireFor acquired} the memory; the last user of closing memory frees it. */
    final void release()
    {
        final long after = (long)STATE.getAndAdd(this, -1L) - 1;
        if (after == CLOSING)
        {
            releaseNow();
        }
    }

    /**
     * Marks the memory closing (new requests naming it are refused from now on) and frees it now if no
     * request uses it, else when the last completes. Never waits; idempotent.
     */
    final void closeWhenUnused()
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
                    releaseNow();
                    return;
                }
            }
            else if (STATE.compareAndSet(this, current, current | CLOSING))
            {
                return;
            }
        }
    }

    private void releaseNow()
    {
        STATE.setVolatile(this, RELEASED);
        free();
    }
}
