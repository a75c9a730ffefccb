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

    /** The longest duty cycle of the queue pair's busy-poll thread, ns (a cycle that waits shows here). */
    long getMaxDutyCycleNanos();

    /** Duty cycles of that thread over one millisecond. */
    long getDutyCyclesOverThreshold();
}
