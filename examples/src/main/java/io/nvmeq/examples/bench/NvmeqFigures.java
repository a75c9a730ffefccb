package io.nvmeq.examples.bench;

/**
 * nvmeq's own figures of a run, reported as {@code jobs[].nvmeq}, all queue pairs together, since the
 * controller came up, from the queue pairs' one set of counters: the longest duty cycle of any queue-pair
 * thread and the cycles over the threshold (1 ms), the transfers by path, the engine's command retries and
 * Aborts, and the queue pairs' restarts. Over the workload only (its start to its end), each queue-pair
 * thread once: their sleeps, the interrupts that ended one, spurious wake-ups and poll-window hits, and their
 * CPU time as % of one core ({@code queueThreadCpuPct}; -1 where there are no such threads).
 */
record NvmeqFigures(
    long maxDutyCycleNs,
    long dutyCyclesOverThreshold,
    long zeroCopy,
    long temporaryMapped,
    long bounced,
    long commandRetries,
    long aborts,
    long restarts,
    String completionMode,
    int queueThreads,
    double queueThreadCpuPct,
    long sleeps,
    long interrupts,
    long spuriousWakeups,
    long pollWindowHits)
{
}
