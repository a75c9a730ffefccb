package io.nvmeq.actors.dispatch;

import java.util.Arrays;

import io.nvmeq.engine.CompletionInterrupt;
import io.nvmeq.hw.device.InterruptVectorException;
import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.nativeio.ReadinessWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sleep of a queue-pair thread in adaptive and interrupt mode: one ppoll(2) over the interrupt
 * eventfds of its pollers' completion queues (each distinct vector once: queues of one thread may share
 * one) and the thread's own wake-up eventfd, which a sender signals when it enqueues a task while the
 * thread sleeps. The wait is rebuilt only when the set of eventfds changes (a queue pair created or
 * gone), so a sleep allocates nothing.
 *
 * <p>No completion is lost: {@link #arm(Poller[])} drains the vectors before the executor's last look
 * at its queues; a completion posted after that look signals a drained eventfd, so the wait returns at
 * once. Owner thread only, apart from {@link #wakeUp()}.
 *
 * <p>Awake, the thread keeps its vectors quiet ({@link #disarm}), so that the device raises no
 * interrupt for completions it finds by polling. Where that costs a system call per arm and per disarm
 * (a VFIO vector is detached and attached, {@link CompletionInterrupt#detachable()}), only a thread that
 * polls for long between sleeps (adaptive mode: it spins while commands are in flight) detaches, and only
 * once it has been awake for about what a detach and an attach cost ({@link #quietIfDue}, as in ski
 * rental: take the interrupts until they have cost as much as quieting would), so that a thread that
 * sleeps again soon (a light load, a sleep around each I/O) pays no system call, and the detach is not
 * on the way from the wake-up to the work that woke the thread. One that sleeps whenever idle (interrupt
 * mode) sleeps around nearly every completion and leaves such vectors attached. A vector the kernel
 * refused to attach raises nothing: the thread then sleeps a millisecond at most (it polls, and the
 * next sleep attaches again).
 */
final class CompletionSleep implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CompletionSleep.class);
    private static final EventFd[] NONE = new EventFd[0];
    /** Before a detach was timed: of the order of a VFIO_DEVICE_SET_IRQS pair in a guest. */
    static final long INITIAL_DETACH_AFTER_NANOS = 100_000;
    private static final long MIN_DETACH_AFTER_NANOS = 1_000;
    /** How often a thread whose vector the kernel refused to attach polls and tries again. */
    private static final long ATTACH_RETRY_NANOS = 1_000_000;

    private final EventFd wakeUp = EventFd.create();
    private final SleepCounters counters;
    /** The longest sleep while a poller is busy: it must look at deadlines and reconnect after a reset. */
    private final long busySleepNanos;
    private EventFd[] vectors = NONE;
    private ReadinessWait wait = new ReadinessWait(wakeUp.fd());
    /** The vectors of this sleep, each once (by eventfd), and one interrupt of each to arm and disarm it. */
    private EventFd[] collected = new EventFd[4];
    private CompletionInterrupt[] armed = new CompletionInterrupt[4];
    private int armedCount;
    private boolean wokenByEventFd;
    /** Whether vectors whose quiet costs a system call are detached while awake (see the class comment). */
    private final boolean detachWhileAwake;
    /** An armed vector the kernel refused to attach: the coming {@link #await} waits at most ATTACH_RETRY_NANOS. */
    private boolean attachRefused;
    /** Detachable vectors armed for the last sleep and still attached: {@link #quietIfDue} detaches them. */
    private CompletionInterrupt[] pending = new CompletionInterrupt[4];
    private int pendingCount;
    /** When the last sleep ended ({@link #disarm}'s time). */
    private long awakeSince;
    /** How long awake before the pending vectors are detached: twice the last detach's cost, smoothed. */
    private long detachAfterNanos = INITIAL_DETACH_AFTER_NANOS;

    CompletionSleep(final SleepCounters counters, final long busySleepNanos, final boolean detachWhileAwake)
    {
        this.counters = counters;
        this.busySleepNanos = busySleepNanos;
        this.detachWhileAwake = detachWhileAwake;
    }

    /** Wakes the sleeping thread, or makes its next sleep return at once; any thread. */
    void wakeUp()
    {
        wakeUp.signal();
    }

    /**
     * Whether the thread may sleep with {@code pollers}: false while one of them is busy and has no
     * interrupt (its completions would only be seen by polling, so the thread spins as in busy-poll).
     */
    static boolean maySleep(final Poller[] pollers)
    {
        for (final Poller poller : pollers)
        {
            if (poller.busy() && poller.interrupt() == null)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Consumes the pending signals of every vector of {@code pollers} and unmasks them; the executor
     * looks at its queues next, then {@link #await}s.
     */
    void arm(final Poller[] pollers)
    {
        // Those not detached yet are attached still: their arm below costs nothing.
        clearPending();
        int count = 0;
        for (final Poller poller : pollers)
        {
            final CompletionInterrupt interrupt = poller.interrupt();
            if (interrupt != null && !contains(collected, count, interrupt.eventFd()))
            {
                if (count == collected.length)
                {
                    collected = Arrays.copyOf(collected, count * 2);
                    armed = Arrays.copyOf(armed, count * 2);
                    pending = Arrays.copyOf(pending, count * 2);
                }
                collected[count] = interrupt.eventFd();
                armed[count++] = interrupt;
                armedCount = count;
                try
                {
                    interrupt.arm();
                }
                catch (final InterruptVectorException ex)
                {
                    // Detached still (logged where it was refused): the executor polls instead of waiting.
                    attachRefused = true;
                }
            }
        }
        armedCount = count;
        if (count != vectors.length || !Arrays.equals(collected, 0, count, vectors, 0, count))
        {
            rebuild(count);
        }
    }

    /**
     * After a sleep (at {@code nowNanos}): masks the vectors armed last again, now (a BAR write); those
     * whose quiet is a detach wait for {@link #quietIfDue} (adaptive mode) or stay attached.
     */
    void disarm(final long nowNanos)
    {
        for (int i = 0; i < armedCount; i++)
        {
            final CompletionInterrupt interrupt = armed[i];
            if (!interrupt.detachable())
            {
                interrupt.disarm();
            }
            else if (detachWhileAwake)
            {
                pending[pendingCount++] = interrupt;
            }
            armed[i] = null;
        }
        armedCount = 0;
        attachRefused = false;
        awakeSince = nowNanos;
    }

    /**
     * Each duty cycle (at {@code nowNanos}): detaches the vectors left attached by {@link #disarm} once the
     * thread has been awake for {@link #detachAfterNanos}, and learns that time from what the detaches took
     * (a detach and an attach cost about the same). One comparison while nothing is left to detach.
     */
    void quietIfDue(final long nowNanos)
    {
        if (pendingCount == 0 || nowNanos - awakeSince < detachAfterNanos)
        {
            return;
        }
        final long start = System.nanoTime();
        for (int i = 0; i < pendingCount; i++)
        {
            try
            {
                pending[i].disarm();
            }
            catch (final RuntimeException ex)
            {
                // A vector that stays attached costs interrupts, never a completion: the thread must go on.
                LOG.warn("detaching {} failed; it stays attached", pending[i], ex);
            }
        }
        final long pairNanos = 2 * (System.nanoTime() - start);
        detachAfterNanos = Math.max(MIN_DETACH_AFTER_NANOS, (3 * detachAfterNanos + pairNanos) / 4);
        clearPending();
    }

    /** How long the thread stays awake before it detaches its vectors (tests and diagnostics). */
    long detachAfterNanos()
    {
        return detachAfterNanos;
    }

    private void clearPending()
    {
        for (int i = 0; i < pendingCount; i++)
        {
            pending[i] = null;
        }
        pendingCount = 0;
    }

    /**
     * Sleeps until a vector or the wake-up eventfd is readable, or the pollers' next deadline: the
     * emulated device's next tick, and while a poller is busy at most {@link #busySleepNanos}.
     */
    void await(final Poller[] pollers, final long nowNanos)
    {
        final long deadlines = timeout(pollers, nowNanos);
        // A vector the kernel refused to attach raises nothing: sleep at most ATTACH_RETRY_NANOS, so that
        // the thread polls its queues and tries the attach again that often (not an ioctl every cycle).
        final long timeout = !attachRefused ? deadlines :
            deadlines < 0 ? ATTACH_RETRY_NANOS : Math.min(deadlines, ATTACH_RETRY_NANOS);
        final int ready = wait.await(timeout);
        counters.slept();
        wokenByEventFd = ready > 0;
        if (ready > 0)
        {
            final int wakeUpIndex = vectors.length;
            if (wait.isReady(wakeUpIndex))
            {
                wakeUp.drain();
            }
            for (int i = 0; i < wakeUpIndex; i++)
            {
                if (wait.isReady(i))
                {
                    counters.interrupted();
                    break;
                }
            }
        }
    }

    /** The first duty cycle after a sleep found {@code work}: none after an eventfd woke it is a spurious wake-up. */
    void afterWake(final int work)
    {
        if (wokenByEventFd && work == 0)
        {
            counters.spuriousWakeup();
        }
        wokenByEventFd = false;
    }

    private long timeout(final Poller[] pollers, final long nowNanos)
    {
        long deadline = Long.MAX_VALUE;
        for (final Poller poller : pollers)
        {
            final CompletionInterrupt interrupt = poller.interrupt();
            if (interrupt != null)
            {
                deadline = Math.min(deadline, interrupt.nextPollDeadline());
            }
            if (poller.busy())
            {
                deadline = Math.min(deadline, nowNanos + busySleepNanos);
            }
        }
        return deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - nowNanos);
    }

    private void rebuild(final int count)
    {
        vectors = Arrays.copyOf(collected, count);
        final int[] fds = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            fds[i] = vectors[i].fd();
        }
        fds[count] = wakeUp.fd();
        wait = new ReadinessWait(fds);
    }

    /** Forgets the vectors (one was closed with its device): the next {@link #arm(Poller[])} collects them anew. */
    void forgetVectors()
    {
        vectors = NONE;
        wait = new ReadinessWait(wakeUp.fd());
    }

    private static boolean contains(final EventFd[] fds, final int count, final EventFd fd)
    {
        for (int i = 0; i < count; i++)
        {
            if (fds[i] == fd)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close()
    {
        wakeUp.close();
    }
}
