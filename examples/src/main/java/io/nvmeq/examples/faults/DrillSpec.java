package io.nvmeq.examples.faults;

import java.time.Duration;
import java.util.Objects;

/**
 * One fault drill: the verified workload and the kills.
 *
 * @param nsid           namespace the workload covers
 * @param queues         queue pairs, each with one client actor co-located on its thread
 * @param iodepth        requests each client keeps outstanding
 * @param size           bytes covered from offset 0, split block by block among the clients
 * @param runtimeNs      how long the random workload runs (the laying out before and the read-back after are extra)
 * @param killIntervalNs time between two kills of a random queue-pair actor; 0 = no kills
 * @param rwmixread      percentage of reads in the workload
 * @param seed           seeds the block choice, the read/write mix and which queue pair is killed
 * @param phaseTimeout   bound on each wait for the clients: laying out, draining, reading back
 */
record DrillSpec(int nsid, int queues, int iodepth, long size, long runtimeNs, long killIntervalNs, int rwmixread,
    long seed, Duration phaseTimeout)
{
    DrillSpec
    {
        Objects.requireNonNull(phaseTimeout, "phaseTimeout");
        if (queues < 1)
        {
            throw new IllegalArgumentException("--queue-pairs must be at least 1, not " + queues);
        }
        if (iodepth < 1 || iodepth > 4096)
        {
            throw new IllegalArgumentException("--iodepth must be 1..4096, not " + iodepth);
        }
        if (size <= 0)
        {
            throw new IllegalArgumentException("--size must be positive, not " + size);
        }
        if (runtimeNs <= 0)
        {
            throw new IllegalArgumentException("--runtime must be positive");
        }
        if (killIntervalNs < 0)
        {
            throw new IllegalArgumentException("--kill-interval must not be negative (0 = no kills)");
        }
        if (rwmixread < 0 || rwmixread > 100)
        {
            throw new IllegalArgumentException("--rwmixread must be 0..100, not " + rwmixread);
        }
        if (phaseTimeout.isNegative() || phaseTimeout.isZero())
        {
            throw new IllegalArgumentException("--phase-timeout must be positive");
        }
    }
}
