package io.nvmeq.hw.nativeio;

import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A Linux eventfd (eventfd(2)) in counter mode, non-blocking and close-on-exec: what an interrupt
 * vector raises. {@link #signal()} adds 1 to the counter from any thread; the counter stays non-zero
 * until {@link #drain()} reads it back to zero, so a signal that lands before a waiter starts to wait
 * is never lost (the fd is readable, level-triggered). The kernel signals it the same way when VFIO
 * routes an MSI-X vector to it, so one wait serves the emulated and the real device.
 *
 * <p>Threads: any number of signallers; one owner drains, waits and closes. A signal racing with
 * {@link #close()} is either delivered or dropped, never written to a reused fd number. No call
 * allocates: the 8-byte counters, the pollfd and the timespec live in native memory taken once.
 */
public final class EventFd implements AutoCloseable
{
    private static final int ONE = 0;
    private static final int READ = 8;
    private static final int POLL_FD = 16;
    private static final int TIMESPEC = 24;
    private static final int SCRATCH_BYTES = 40;
    /** Set in {@link #users} once closing: no new signal starts. */
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final LibC libc = LibC.libc();
    /** Wraps (and so keeps alive) direct memory taken once. */
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SCRATCH_BYTES, 8));
    private final long one = scratch.addressOffset() + ONE;
    private final long read = scratch.addressOffset() + READ;
    private final long pollFd = scratch.addressOffset() + POLL_FD;
    private final long timespec = scratch.addressOffset() + TIMESPEC;
    /** Signals in progress, plus {@link #CLOSED}. */
    private final AtomicInteger users = new AtomicInteger();

    private EventFd(final int fd)
    {
        this.fd = fd;
        scratch.putLong(ONE, 1L);
        scratch.putInt(POLL_FD, fd);
        scratch.putShort(POLL_FD + 4, LibC.POLLIN);
    }

    /**
     * A new eventfd, counter 0, {@code EFD_NONBLOCK | EFD_CLOEXEC}.
     *
     * @throws NativeException if the kernel refuses (EMFILE: too many open files)
     */
    public static EventFd create()
    {
        final int fd = LibC.libc().eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0)
        {
            throw NativeException.lastError("eventfd", "");
        }
        return new EventFd(fd);
    }

    /** The file descriptor, e.g. to hand to VFIO_DEVICE_SET_IRQS or to a {@link ReadinessWait}. */
    public int fd()
    {
        return fd;
    }

    /**
     * Adds 1 to the counter: a waiter wakes, or the next wait returns at once. Returns false only if
     * the eventfd was closed. A counter at its maximum (2^64 - 2) is readable already, so EAGAIN there
     * loses nothing.
     */
    public boolean signal()
    {
        if ((users.incrementAndGet() & CLOSED) != 0)
        {
            users.decrementAndGet();
            return false;
        }
        try
        {
            libc.write(fd, one, 8);
            return true;
        }
        finally
        {
            users.decrementAndGet();
        }
    }

    /** Reads the counter back to zero; returns the signals it held, 0 if none (owner thread only). */
    public long drain()
    {
        final long bytes = libc.read(fd, read, 8);
        if (bytes == 8)
        {
            return scratch.getLong(READ);
        }
        final int errno = LibC.errno();
        if (errno == LibC.EAGAIN)
        {
            return 0;
        }
        throw new NativeException("read", errno, "eventfd " + fd);
    }

    /** Whether a signal is waiting, without consuming it (owner thread only). */
    public boolean isSignalled()
    {
        return await(0);
    }

    /**
     * Waits until a signal is waiting or {@code timeoutNanos} pass (0: do not wait; negative: no limit),
     * without consuming it. Returns true if a signal is waiting. A wait interrupted by a signal handler
     * (EINTR) returns false early: the caller looks again, as after any wake-up (owner thread only).
     */
    public boolean await(final long timeoutNanos)
    {
        scratch.putShort(POLL_FD + 6, (short)0);
        final int ready = ReadinessWait.ppoll(libc, pollFd, 1, timespec, scratch, TIMESPEC, timeoutNanos);
        return ready > 0 && (scratch.getShort(POLL_FD + 6) & LibC.POLLIN) != 0;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed()
    {
        return (users.get() & CLOSED) != 0;
    }

    /** Closes the fd once every signal in progress has finished. Idempotent. */
    @Override
    public void close()
    {
        int current;
        do
        {
            current = users.get();
            if ((current & CLOSED) != 0)
            {
                return;
            }
        }
        while (!users.compareAndSet(current, current | CLOSED));
        while (users.get() != CLOSED)
        {
            Thread.onSpinWait();
        }
        if (libc.close(fd) != 0)
        {
            throw NativeException.lastError("close", "eventfd " + fd);
        }
    }

    @Override
    public String toString()
    {
        return "EventFd[" + fd + (isClosed() ? ", closed]" : "]");
    }
}
