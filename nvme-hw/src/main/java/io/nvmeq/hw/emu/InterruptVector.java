package io.nvmeq.hw.emu;

import io.nvmeq.hw.nativeio.EventFd;

/**
 * One MSI-X vector of the emulated controller: an eventfd that every completion queue created with
 * this vector (IEN = 1) signals, the vector's MSI-X table Mask bit and Pending bit, and its interrupt
 * coalescing state (NVMe base spec 2.0 §5.27.1.6 Interrupt Coalescing, §5.27.1.7 Interrupt Vector
 * Configuration). Completion queues of different threads may share it, hence its monitor.
 *
 * <p>Coalescing: an I/O completion counts towards the vector's aggregate; the interrupt is raised once
 * THR + 1 entries are aggregated, or once TIME (100 µs units) passed since the first of them. TIME = 0
 * means no delay, and THR = 0 a threshold of one entry: either one turns coalescing off. The time is checked when a completion is posted and at each host
 * tick ({@link EmulatedController#poll(int)}): the emulator has no thread of its own. Admin completions
 * and vectors with Coalescing Disable set are raised at once.
 *
 * <p>Masking (PCI MSI-X, the per-entry Mask bit of Vector Control): a raise while masked sets the
 * Pending bit instead; clearing the mask with the Pending bit set delivers it then.
 */
final class InterruptVector
{
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    final int number;
    private final Interrupts interrupts;
    private final EventFd eventFd;

    /** MSI-X Vector Control bit 0; entries come out of reset masked (PCI). Written under the monitor. */
    private volatile boolean masked = true;
    /** Written under the monitor; both read without it by {@link #completionPosted}'s first check. */
    private volatile boolean pending;
    private int aggregated;
    private long firstAggregatedAt;
    /** When the aggregate must be raised at the latest; read by ticks without the lock. */
    private volatile long deadline = NO_DEADLINE;

    InterruptVector(final int number, final Interrupts interrupts, final EventFd eventFd)
    {
        this.number = number;
        this.interrupts = interrupts;
        this.eventFd = eventFd;
    }

    EventFd eventFd()
    {
        return eventFd;
    }

    /**
     * A completion was posted to a queue of this vector; {@code coalescible}: an I/O queue's. While the host
     * polls with the vector masked, the Pending bit is set by the first completion and every later one
     * would set it again: those return before the monitor (a host thread posts for every command it
     * polls, so the monitor was a compare-and-set pair per I/O). Unmasking reads Pending after clearing
     * Mask under the monitor: a post that saw both set either came before the unmask, which then
     * signals, or sees Mask clear and takes the monitor.
     */
    void completionPosted(final boolean coalescible)
    {
        final long time = coalescible ? interrupts.aggregationTimeNanos(number) : 0;
        if (time == 0 && masked && pending)
        {
            return;
        }
        raiseOrAggregate(time);
    }

    private synchronized void raiseOrAggregate(final long time)
    {
        if (time > 0)
        {
            final long now = interrupts.nanoTime();
            if (aggregated++ == 0)
            {
                firstAggregatedAt = now;
                deadline = now + time;
            }
            if (aggregated <= interrupts.aggregationThreshold() && now - firstAggregatedAt < time)
            {
                return;
            }
        }
        raise();
    }

    /** The host's tick: raises an aggregate whose time has come. Without one, a volatile read. */
    void tick()
    {
        if (deadline != NO_DEADLINE)
        {
            final long now = interrupts.nanoTime();
            synchronized (this)
            {
                if (aggregated > 0 && now >= deadline)
                {
                    raise();
                }
            }
        }
    }

    /** When the aggregate must be raised (on the controller's clock), Long.MAX_VALUE if nothing is aggregated. */
    long deadline()
    {
        return deadline;
    }

    /** MSI-X Vector Control written: bit 0 masks; unmasking delivers a pending interrupt. */
    synchronized void vectorControl(final int value)
    {
        masked = (value & 1) != 0;
        if (!masked && pending)
        {
            pending = false;
            eventFd.signal();
        }
    }

    synchronized int vectorControl()
    {
        return masked ? 1 : 0;
    }

    synchronized boolean isPending()
    {
        return pending;
    }

    /** Controller reset: aggregates are dropped (the queues they counted are gone); mask and pending stay (PCI state). */
    synchronized void resetCoalescing()
    {
        aggregated = 0;
        deadline = NO_DEADLINE;
    }

    private void raise()
    {
        aggregated = 0;
        deadline = NO_DEADLINE;
        if (masked)
        {
            pending = true;
        }
        else
        {
            eventFd.signal();
        }
    }
}
