package io.nvmeq.actors;

/**
 * The counters of one queue pair over JMX, registered by its controller supervisor as
 * {@code io.nvmeq:type=QueuePair,controller=<quoted device URI>,qid=<NVMe queue id>} while the
 * controller is up. Values are totals since bring-up, restarts included.
 */
public interface QueuePairMXBean
{
    int getQueueId();

    /** The CPU its thread is meant to be pinned to. */
    int getCpu();

    long getSubmitted();

    long getCompleted();

    long getErrors();

    long getRetried();

    long getRejected();

    int getInFlight();

    int getBacklog();

    long getPolls();

    long getIdlePolls();

    long getRestarts();

    /** Transfers straight to the device (DmaBuffers, registered memory). */
    long getZeroCopy();

    /** Transfers through a temporary IOVA mapping. */
    long getTemporaryMapped();

    /** Transfers through a bounce buffer. */
    long getBounced();

    /** Requests split at the transfer limit. */
    long getSplit();

    /** Commands resubmitted by the engine (a retryable error, a controller reset). */
    long getCommandRetries();

    /** Abort commands sent for commands past their deadline. */
    long getAborts();

    /** Commands that missed their deadline after an Abort too. */
    long getCommandTimeouts();

    /** Times the queue pair reconnected after a controller reset. */
    long getReconnections();

    /** The longest duty cycle of the queue pair's busy-poll thread, ns (a cycle that waits shows here). */
    long getMaxDutyCycleNanos();

    /** Duty cycles of that thread over one millisecond. */
    long getDutyCyclesOverThreshold();
}
