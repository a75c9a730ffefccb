package io.nvmeq.engine;

import io.nvmeq.hw.device.InterruptVectorException;
import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.nativeio.EventFd;

/**
 * The interrupt side of one I/O completion queue created with IEN = 1: the vector's eventfd, which the
 * device signals when it posts to the queue, and what a polling thread needs before it sleeps on it.
 * The protocol that loses no completion: {@link #arm()} (unmask the vector and consume the signals
 * already taken), then look at the queue once more ({@link QueuePair#completionWaiting()} or a poll), and
 * only if it is empty wait for the eventfd to become readable, no longer than {@link #nextPollDeadline()};
 * after the wait, {@link #disarm()}. A completion posted after the last look signals the eventfd after
 * the arm, so the wait returns at once.
 *
 * <p>While its owner is awake and polls, the vector is kept quiet, so that the device raises nothing the
 * owner would only drain (an interrupt and an eventfd write per completion otherwise): where the device
 * lets the host write its MSI-X table (the emulated controller) {@link #disarm()} masks the entry, a BAR
 * write; on VFIO, whose table is the kernel's, {@link #disarm()} detaches the vector's eventfd
 * ({@link InterruptVectors#detach(int)}: the kernel masks the entry), a system call, as is the attach in
 * {@link #arm()}, so an owner that sleeps around every completion may leave it attached instead
 * ({@link #detachable()}). Either way a completion posted while quiet leaves the Pending bit set, and
 * {@link #arm()} delivers it before it drains.
 *
 * <p>Queues of one owner thread may share a vector (and so this eventfd); owner thread only.
 */
public final class CompletionInterrupt
{
    /** PCI MSI-X table: 16 bytes per entry, Vector Control at + 12, bit 0 = Mask. */
    private static final int MSIX_ENTRY_BYTES = 16;
    private static final int VECTOR_CONTROL = 12;
    private static final int MASKED = 1;
    private static final int UNMASKED = 0;

    private final int vector;
    private final EventFd eventFd;
    private final NvmeDevice device;
    private final int queueId;
    private final RegisterSpace registers;
    /** BAR0 offset of the vector's Vector Control, or -1 if the host may not mask it. */
    private final int vectorControl;
    /** The vectors, where the host quiets this one by detaching it (VFIO), else null. */
    private final InterruptVectors detaching;

    CompletionInterrupt(final int vector, final EventFd eventFd, final NvmeDevice device, final int queueId)
    {
        this.vector = vector;
        this.eventFd = eventFd;
        this.device = device;
        this.queueId = queueId;
        this.registers = device.registers();
        final int table = device.interrupts().msixTableOffset();
        this.vectorControl = table < 0 ? -1 : table + vector * MSIX_ENTRY_BYTES + VECTOR_CONTROL;
        this.detaching = table < 0 && device.interrupts().detachable() ? device.interrupts() : null;
    }

    /** The MSI-X vector the completion queue was created with (Create I/O CQ's IV). */
    public int vector()
    {
        return vector;
    }

    /** The eventfd the vector signals; shared by every queue on the vector. */
    public EventFd eventFd()
    {
        return eventFd;
    }

    /**
     * Before a wait: unmasks (or attaches) the vector, then consumes its signals, the one left pending
     * while it was quiet included (its completions are in the queue already, for the look that follows).
     * Returns how many signals were consumed.
     *
     * @throws InterruptVectorException if the kernel refused to attach the vector: it raises nothing, so
     *                                  the owner must not wait for it this time (poll, and arm again later)
     */
    public long arm()
    {
        if (vectorControl >= 0)
        {
            registers.write32(vectorControl, UNMASKED);
        }
        else if (detaching != null)
        {
            detaching.attach(vector);
        }
        return eventFd.drain();
    }

    /**
     * After a wait: quiets the vector again while its owner polls, by masking it or, on VFIO, by detaching
     * it (where the kernel refuses, it stays attached: its completions keep signalling, nothing is lost).
     */
    public void disarm()
    {
        if (vectorControl >= 0)
        {
            registers.write32(vectorControl, MASKED);
        }
        else if (detaching != null)
        {
            detaching.detach(vector);
        }
    }

    /** Whether the host masks this vector while it polls (the device lets it write the MSI-X table). */
    public boolean maskable()
    {
        return vectorControl >= 0;
    }

    /**
     * Whether {@link #disarm()} quiets this vector by detaching it, and {@link #arm()} attaches it again:
     * a system call each (VFIO). An owner that sleeps whenever it is idle, around nearly every completion,
     * skips {@link #disarm()} for such a vector (it then stays attached and {@link #arm()} costs nothing).
     */
    public boolean detachable()
    {
        return detaching != null;
    }

    /**
     * When the owner must poll the queue at the latest even without an interrupt ({@link System#nanoTime()}
     * terms): the emulated controller has no thread, so a modelled completion or an interrupt coalescing
     * time only happens at a poll; {@link Long#MAX_VALUE} on hardware.
     */
    public long nextPollDeadline()
    {
        return device.nextPollDeadline(queueId);
    }

    @Override
    public String toString()
    {
        return "CompletionInterrupt[queue " + queueId + ", vector " + vector + ", " + eventFd + "]";
    }
}
