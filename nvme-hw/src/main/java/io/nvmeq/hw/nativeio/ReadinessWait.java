package io.nvmeq.hw.nativeio;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One blocking wait on several file descriptors at once (ppoll(2)), e.g. a completion queue's
 * interrupt eventfd and a mailbox's wake-up eventfd. The pollfd array and the timespec are native
 * memory taken once, so a wait allocates nothing. Not thread-safe: one owner thread waits.
 *
 * <pre>
 * struct pollfd   { int fd; short events; short revents; };   // 8 bytes
 * struct timespec { time_t tv_sec; long tv_nsec; };            // 16 bytes on 64-bit Linux
 * </pre>
 */
public final class ReadinessWait
{
    static final int POLLFD_BYTES = 8;
    private static final int TIMESPEC_BYTES = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LibC libc = LibC.libc();
    private final int count;
    private final UnsafeBuffer buffer;
    private final int timespecOffset;

    /** A wait for readability of {@code fds}, in that order (index i of {@link #isReady(int)} is fds[i]). */
    public ReadinessWait(final int... fds)
    {
        if (fds.length == 0)
        {
            throw new IllegalArgumentException("nothing to wait for: no file descriptors");
        }
        this.count = fds.length;
        this.timespecOffset = fds.length * POLLFD_BYTES;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(timespecOffset + TIMESPEC_BYTES, 8));
        for (int i = 0; i < fds.length; i++)
        {
            if (fds[i] < 0)
            {
                throw new IllegalArgumentException("file descriptor " + fds[i] + " at index " + i);
            }
            buffer.putInt(i * POLLFD_BYTES, fds[i]);
            buffer.putShort(i * POLLFD_BYTES + 4, LibC.POLLIN);
        }
    }

    /** How many file descriptors this wait watches. */
    public int count()
    {
        return count;
    }

    /**
     * Waits until at least one fd is readable or {@code timeoutNanos} pass (0: look without waiting;
     * negative: no limit). Returns how many fds are ready, 0 on timeout or when a signal handler
     * interrupted the wait (EINTR: the caller looks again, as after any wake-up).
     *
     * @throws NativeException if the kernel refuses the wait (EBADF: one of the fds was closed)
     */
    public int await(final long timeoutNanos)
    {
        for (int i = 0; i < count; i++)
        {
            buffer.putShort(i * POLLFD_BYTES + 6, (short)0);
        }
        final int ready = ppoll(libc, buffer.addressOffset(), count, buffer.addressOffset() + timespecOffset,
            buffer, timespecOffset, timeoutNanos);
        for (int i = 0; i < count && ready > 0; i++)
        {
            if ((buffer.getShort(i * POLLFD_BYTES + 6) & LibC.POLLNVAL) != 0)
            {
                throw new NativeException("ppoll", LibC.EBADF, "fd " + buffer.getInt(i * POLLFD_BYTES) + " is not open");
            }
        }
        return ready;
    }

    /** Whether fd {@code index} was readable at the last {@link #await(long)}. */
    public boolean isReady(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + count + " file descriptors");
        }
        return (buffer.getShort(index * POLLFD_BYTES + 6) & LibC.POLLIN) != 0;
    }

    /**
     * ppoll on {@code nfds} pollfds at {@code fds}, the timeout written into {@code scratch} at
     * {@code timespecOffset} (native address {@code timespec}). EINTR counts as a timeout.
     */
    static int ppoll(
        final LibC libc, final long fds, final int nfds, final long timespec, final UnsafeBuffer scratch,
        final int timespecOffset, final long timeoutNanos)
    {
        long timeout = 0;
        if (timeoutNanos >= 0)
        {
            scratch.putLong(timespecOffset, timeoutNanos / NANOS_PER_SECOND);
            scratch.putLong(timespecOffset + 8, timeoutNanos % NANOS_PER_SECOND);
            timeout = timespec;
        }
        final int ready = libc.ppoll(fds, nfds, timeout, 0);
        if (ready >= 0)
        {
            return ready;
        }
        final int errno = LibC.errno();
        if (errno == LibC.EINTR)
        {
            return 0;
        }
        throw new NativeException("ppoll", errno, nfds + " file descriptors");
    }
}
