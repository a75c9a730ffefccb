package io.nvmeq.engine;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.nativeio.EventFd;

/**
 * The interrupt side of one I/O completion queue created with IEN = 1: the vector's eventfd, which the
 * device signals when it posts to the queue, and what a polling thread needs before it sleeps on it.
 * The protocol that loses no completion: {@link #arm()} (consume the signals already taken), then look
 * at the queue once more ({@link QueuePair#completionWaiting()} or a poll), and only if it is empty
 * wait for the eventfd to become readable, no longer than {@link #nextPollDeadline()}. A completion
 * posted after the last look signals the eventfd after the arm, so the wait returns at once.
 *
 * <p>Queues of one owner thread may share a vector (and so this eventfd); owner thread only.
 */
public final class CompletionInterrupt
{
    private final int vector;
    private final EventFd eventFd;
    private final NvmeDevice device;
    private final int queueId;

    CompletionInterrupt(final int vector, final EventFd eventFd, final NvmeDevice device, final int queueId)
    {
        this.vector = vector;
        this.eventFd = eventFd;
        this.device = device;
        this.queueId = queueId;
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

    /** Consumes the vector's pending signals before a wait; returns how many there were (interrupts taken). */
    public long arm()
    {
        return eventFd.drain();
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
