package io.nvmeq.actors;

/**
 * A snapshot of one queue-pair actor.
 *
 * @param queueId      NVMe queue id (1..)
 * @param capacity     commands it can have in flight
 * @param inFlight     commands in flight now
 * @param backlog      requests waiting for room in the hardware queue
 * @param busyPoll     true when completions are polled by the busy-poll thread, false in self-poll mode
 * @param requestedCpu the CPU it was placed on
 * @param pinnedCpu    the CPU its thread is pinned to, or -1 if pinning failed
 * @param threadId     the kernel's id of its thread (for sched_getaffinity)
 * @param threadName   its thread's name
 */
public record QueuePairStatus(
    int queueId,
    int capacity,
    int inFlight,
    int backlog,
    boolean busyPoll,
    int requestedCpu,
    int pinnedCpu,
    int threadId,
    String threadName)
{
}
