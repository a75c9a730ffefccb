package io.nvmeq.engine;

/**
 * What one queue pair did, by path (as QEMU counts aligned and unaligned accesses) and by recovery step:
 * the engine's part of the queue pair's one set of counters, which its owner may extend with its own
 * (the actors' {@code QueuePairCounters} does). Given to the queue pair when it is created, so that one
 * set outlives the queue's re-creation. Each is an {@link OrderedCounter}: written by the owner thread
 * only, read from any thread.
 */
public class IoCounters
{
    final OrderedCounter requests = new OrderedCounter();
    final OrderedCounter strayCompletions = new OrderedCounter();
    final OrderedCounter zeroCopy = new OrderedCounter();
    final OrderedCounter temporary = new OrderedCounter();
    final OrderedCounter temporaryExhausted = new OrderedCounter();
    final OrderedCounter bounced = new OrderedCounter();
    final OrderedCounter unaligned = new OrderedCounter();
    final OrderedCounter split = new OrderedCounter();
    final OrderedCounter retries = new OrderedCounter();
    final OrderedCounter aborts = new OrderedCounter();
    final OrderedCounter timeouts = new OrderedCounter();
    final OrderedCounter fatalStatusSeen = new OrderedCounter();
    final OrderedCounter recoveries = new OrderedCounter();

    /** Requests the engine took (one per submit call that returned true; a split request counts once). */
    public long requests()
    {
        return requests.get();
    }

    /** Completions whose command id was not in flight: a device bug, counted and dropped. */
    public long strayCompletions()
    {
        return strayCompletions.get();
    }

    /** Transfers from DmaBuffers or registered memory, straight to the device. */
    public long zeroCopy()
    {
        return zeroCopy.get();
    }

    /** Transfers from other direct memory, through a temporary IOVA mapping. */
    public long temporaryMapped()
    {
        return temporary.get();
    }

    /** Direct-memory transfers bounced because no temporary IOVA was left. */
    public long temporaryExhausted()
    {
        return temporaryExhausted.get();
    }

    /** Transfers copied through a bounce buffer (heap memory, unaligned memory, no temporary IOVA). */
    public long bounced()
    {
        return bounced.get();
    }

    /** Direct-memory transfers whose start breaks the PRP rule (not dword-aligned), hence bounced. */
    public long unaligned()
    {
        return unaligned.get();
    }

    /** Requests split into several commands at the transfer limit. */
    public long split()
    {
        return split.get();
    }

    /** Commands resubmitted after a retryable error or a controller reset. */
    public long retries()
    {
        return retries.get();
    }

    /** Abort commands sent for commands past their deadline. */
    public long aborts()
    {
        return aborts.get();
    }

    /** Commands that missed their deadline after an Abort too (each led to a controller reset). */
    public long timeouts()
    {
        return timeouts.get();
    }

    /** Times this queue saw CSTS.CFS or all-ones registers. */
    public long fatalStatusSeen()
    {
        return fatalStatusSeen.get();
    }

    /** Times this queue was re-created after a controller reset. */
    public long recoveries()
    {
        return recoveries.get();
    }

    @Override
    public String toString()
    {
        return "IoCounters{requests=" + requests + ", strayCompletions=" + strayCompletions + ", zeroCopy=" + zeroCopy
            + ", temporary=" + temporary + ", temporaryExhausted=" + temporaryExhausted + ", bounced=" + bounced + ", unaligned=" + unaligned + ", split=" + split
            + ", retries=" + retries + ", aborts=" + aborts + ", timeouts=" + timeouts + ", fatalStatusSeen="
            + fatalStatusSeen + ", recoveries=" + recoveries + '}';
    }
}
