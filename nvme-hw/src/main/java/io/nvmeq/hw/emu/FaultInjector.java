package io.nvmeq.hw.emu;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.nvmeq.hw.spec.Status;

/**
 * Makes an emulated controller misbehave the way hardware does, so that a driver's error handling can
 * be tested: error statuses, lost or late completions, controller fatal status, surprise removal,
 * IOMMU faults. Reach it through {@link EmulatedController#faults()}, or arm faults at creation with
 * the {@code faults=} key of an {@code emu:} URI ({@link FaultSpec}).
 *
 * <p>Every effect is visible to the host only through the device boundary: a status in a completion
 * entry, a completion that never comes (a Command Abort or a controller reset gets rid of it), CSTS,
 * registers that read {@code 0xFFFFFFFF}. Rules apply to commands fetched after the call. Arming a
 * rule of a kind replaces the previous rule of that kind; {@link #clear()} disarms all. Counts are
 * consumed by matching commands only; a command failed by injection is not also dropped or delayed.
 * Failed commands complete at once and are not executed; dropped and delayed ones are executed. Thread-safe; with nothing armed, the per-command cost is one
 * volatile read.
 *
 * <p>Typical uses: {@code failNext(Opcodes.NVM_WRITE, Status.WRITE_FAULT | Status.DNR, 1)} for one
 * failed write; {@code dropNextCompletions(1)} for a command timeout; {@code delayNextCompletions(1,
 * 50_000_000)} for a completion 50 ms late; {@code failAdmin(Opcodes.ADMIN_IDENTIFY,
 * Status.INTERNAL_ERROR, 1)} for a bring-up failure.
 */
public final class FaultInjector
{
    /** Opcode filter that matches every opcode. */
    public static final int ANY_OPCODE = -1;
    /** Returned by {@link #injectedStatus} when the command runs normally. */
    static final int NONE = -1;
    /** Returned by {@link #completionDelay} when the completion must never be posted. */
    static final long DROPPED = Long.MAX_VALUE;

    private final EmulatedController controller;
    /** Whether any command rule is armed: the fast path reads only this. */
    private volatile boolean armed;

    private int ioFailOpcode;
    private int ioFailStatus;
    private int ioFailCount;
    private int adminFailOpcode;
    private int adminFailStatus;
    private int adminFailCount;
    private double randomRate;
    private int randomStatus;
    private SplittableRandom random;
    private int ioDrops;
    private int adminDrops;
    private int delays;
    private long delayNanos;
    private long fatalCountdown = -1;
    private long removalCountdown = -1;
    private final AtomicInteger iommuFaults = new AtomicInteger();
    private final AtomicLong injected = new AtomicLong();

    FaultInjector(final EmulatedController controller)
    {
        this.controller = controller;
    }

    /**
     * The next {@code count} I/O commands with {@code opcode} (or {@link #ANY_OPCODE}) are not executed
     * and complete with {@code status}, a 15-bit status field (a {@link Status} constant, with
     * {@link Status#DNR} or without).
     */
    public synchronized void failNext(final int opcode, final int status, final int count)
    {
        requireStatus(status);
        ioFailOpcode = opcode;
        ioFailStatus = status;
        ioFailCount = requireCount(count);
        rearm();
    }

    /** Shorthand for one failed I/O command of any opcode. */
    public void failNext(final int status)
    {
        failNext(ANY_OPCODE, status, 1);
    }

    /**
     * The next {@code count} admin commands with {@code opcode} (or {@link #ANY_OPCODE}) are not
     * executed and complete with {@code status}: a controller that fails during bring-up.
     */
    public synchronized void failAdmin(final int opcode, final int status, final int count)
    {
        requireStatus(status);
        adminFailOpcode = opcode;
        adminFailStatus = status;
        adminFailCount = requireCount(count);
        rearm();
    }

    /** Shorthand for one failed admin command with {@code opcode}. */
    public void failAdmin(final int opcode, final int status)
    {
        failAdmin(opcode, status, 1);
    }

    /**
     * Each I/O command fails with {@code status} with probability {@code rate} (0 disarms), drawn from a
     * generator seeded with {@code seed} so that a run can be repeated.
     */
    public synchronized void failRandomly(final double rate, final int status, final long seed)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new IllegalArgumentException("error rate must be within 0..1, not " + rate);
        }
        requireStatus(status);
        randomRate = rate;
        randomStatus = status;
        random = new SplittableRandom(seed);
        rearm();
    }

    public void failRandomly(final double rate, final int status)
    {
        failRandomly(rate, status, 1);
    }

    /** The next {@code count} I/O commands execute but their completions are never posted. */
    public synchronized void dropNextCompletions(final int count)
    {
        ioDrops = requireCount(count);
        rearm();
    }

    /** The next {@code count} admin commands (other than Async Event Requests) never complete. */
    public synchronized void dropNextAdminCompletions(final int count)
    {
        adminDrops = requireCount(count);
        rearm();
    }

    /**
     * The next {@code count} I/O commands complete {@code nanos} later than they would: the completion
     * is posted by the first poll of its queue after that time.
     */
    public synchronized void delayNextCompletions(final int count, final long nanos)
    {
        if (nanos <= 0)
        {
            throw new IllegalArgumentException("a delay must be positive, not " + nanos);
        }
        delays = requireCount(count);
        delayNanos = nanos;
        rearm();
    }

    /** The next {@code count} command data transfers (PRP data, Identify and log page data) fault in the IOMMU. */
    public void iommuFaultNext(final int count)
    {
        iommuFaults.set(requireCount(count));
    }

    /** Sets CSTS.CFS now, as a controller that hit an internal error; only a reset clears it. */
    public void fatal()
    {
        injected.incrementAndGet();
        controller.fatal("fault injected");
    }

    /** Sets CSTS.CFS when the controller fetches I/O command number {@code commands} + 1 (not executed). */
    public synchronized void fatalAfter(final long commands)
    {
        fatalCountdown = requireCountdown(commands);
        rearm();
    }

    /**
     * The device is gone, as if pulled from its slot: every register reads {@code 0xFFFFFFFF}, writes
     * and doorbells are ignored, nothing more is fetched or completed. Permanent for this controller.
     */
    public void surpriseRemoval()
    {
        injected.incrementAndGet();
        controller.remove();
    }

    /** Surprise removal when the controller fetches I/O command number {@code commands} + 1. */
    public synchronized void surpriseRemovalAfter(final long commands)
    {
        removalCountdown = requireCountdown(commands);
        rearm();
    }

    /** Disarms every rule (not a fatal status or a removal that already happened). */
    public synchronized void clear()
    {
        ioFailCount = 0;
        adminFailCount = 0;
        randomRate = 0;
        ioDrops = 0;
        adminDrops = 0;
        delays = 0;
        fatalCountdown = -1;
        removalCountdown = -1;
        iommuFaults.set(0);
        rearm();
    }

    /** Faults injected so far (commands failed, completions dropped or delayed, IOMMU faults, CFS, removals). */
    public long injectedCount()
    {
        return injected.get();
    }

    // ---- for the controller

    /**
     * Called for every fetched command before it executes: the status to complete it with instead of
     * executing it, or {@link #NONE}.
     */
    int injectedStatus(final boolean admin, final int opcode)
    {
        if (!armed)
        {
            return NONE;
        }
        synchronized (this)
        {
            if (admin)
            {
                if (adminFailCount > 0 && matches(adminFailOpcode, opcode))
                {
                    adminFailCount--;
                    rearm();
                    return injectedStatus(adminFailStatus);
                }
                return NONE;
            }
            if (fatalCountdown >= 0 && fatalCountdown-- == 0)
            {
                rearm();
                fatal();
            }
            if (removalCountdown >= 0 && removalCountdown-- == 0)
            {
                rearm();
                surpriseRemoval();
            }
            if (ioFailCount > 0 && matches(ioFailOpcode, opcode))
            {
                ioFailCount--;
                rearm();
                return injectedStatus(ioFailStatus);
            }
            if (randomRate > 0 && random.nextDouble() < randomRate)
            {
                return injectedStatus(randomStatus);
            }
            return NONE;
        }
    }

    /** Extra time before the completion of a command just executed: 0, a delay, or {@link #DROPPED}. */
    long completionDelay(final boolean admin)
    {
        if (!armed)
        {
            return 0;
        }
        synchronized (this)
        {
            if (admin)
            {
                if (adminDrops > 0)
                {
                    adminDrops--;
                    rearm();
                    injected.incrementAndGet();
                    return DROPPED;
                }
                return 0;
            }
            if (ioDrops > 0)
            {
                ioDrops--;
                rearm();
                injected.incrementAndGet();
                return DROPPED;
            }
            if (delays > 0)
            {
                delays--;
                rearm();
                injected.incrementAndGet();
                return delayNanos;
            }
            return 0;
        }
    }

    /** Whether the next data transfer must fault (consumes one). */
    boolean takeIommuFault()
    {
        int left;
        do
        {
            left = iommuFaults.get();
            if (left <= 0)
            {
                return false;
            }
        }
        while (!iommuFaults.compareAndSet(left, left - 1));
        injected.incrementAndGet();
        return true;
    }

    private int injectedStatus(final int status)
    {
        injected.incrementAndGet();
        return status;
    }

    private static boolean matches(final int filter, final int opcode)
    {
        return filter == ANY_OPCODE || filter == opcode;
    }

    private void rearm()
    {
        armed = ioFailCount > 0 || adminFailCount > 0 || randomRate > 0 || ioDrops > 0 || adminDrops > 0
            || delays > 0 || fatalCountdown >= 0 || removalCountdown >= 0;
    }

    private static int requireCount(final int count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("a fault count cannot be negative: " + count);
        }
        return count;
    }

    private static long requireCountdown(final long commands)
    {
        if (commands < 0)
        {
            throw new IllegalArgumentException("a command count cannot be negative: " + commands);
        }
        return commands;
    }

    private static void requireStatus(final int status)
    {
        if (status <= 0 || status > 0x7FFF || Status.isSuccess(status))
        {
            throw new IllegalArgumentException(
                "an injected status must be an error status field (1..0x7FFF, not success): 0x" + Integer.toHexString(status));
        }
    }
}
