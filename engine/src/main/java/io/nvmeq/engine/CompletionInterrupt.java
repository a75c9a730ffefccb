package io.nvmeq.engine;

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
 * <p>Where the device lets the host write its MSI-X table (the emulated controller), the vector is
 * masked while its owner is awake and polls, so that the device raises nothing the owner would only
 * drain (an eventfd write per completion otherwise); a completion posted while masked leaves the
 * Pending bit set, and the unmask in {@link #arm()} delivers it. On VFIO the vector always stays unmasked.
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

    CompletionInterrupt(final int vector, final EventFd eventFd, final NvmeDevice device, final int queueId)
    {
        this.vector = vector;
        this.eventFd = eventFd;
        this.device = device;
        this.queueId = queueId;
        this.registers = device.registers();
        final int table = device.interrupts().msixTableOffset();
        this.vectorControl = table < 0 ? -1 : table + vector * MSIX_ENTRY_BYTES + VECTOR_CONTROL;
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
     * Before a wait: unmasks the vector, then consumes its signals, the one left pending while it was
     * masked included (its completions are in the queue already, for the look that follows). Returns how
     * many signals were consumed.
     */
    public long arm()
    {
        if (vectorControl >= 0)
        {
            registers.write32(vectorControl, UNMASKED);
        }
        return eventFd.drain();
    }

    /** After a wait: masks the vector again while its owner polls (where the device allows it). */
    public void disarm()
    {
        if (vectorControl >= 0)
        {
            registers.write32(vectorControl, MASKED);
        }
    }

    /** Whether the host masks this vector while it polls (the device lets it write the MSI-X table). */
    public boolean maskable()
    {
        return vectorControl >= 0;
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
