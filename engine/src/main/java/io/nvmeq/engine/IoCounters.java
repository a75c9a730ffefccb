package io.nvmeq.engine;

/**
 * What one queue pair did, by path (as QEMU counts aligned and unaligned accesses) and by recovery step.
 * Plain fields written by the owner thread only; read them there, or accept a slightly stale value.
 */
public final class IoCounters
{
    long zeroCopy;
    long temporary;
    long temporaryExhausted;
    long bounced;
    long unaligned;
    long split;
    long retries;
    long aborts;
    long timeouts;
    long fatalStatusSeen;
    long recoveries;

    /** Transfers from DmaBuffers or registered memory, straight to the device. */
    public long zeroCopy()
    {
        return zeroCopy;
    }

    /** Transfers from other direct memory, through a temporary IOVA mapping. */
    public long temporaryMapped()
    {
        return temporary;
    }

    /** Direct-memory transfers bounced because no temporary IOVA was left. */
    public long temporaryExhausted()
    {
        return temporaryExhausted;
    }

    /** Transfers copied through a bounce buffer (heap memory, unaligned memory, no temporary IOVA). */
    public long bounced()
    {
        return bounced;
    }

    /** Direct-memory transfers whose start breaks the PRP rule (not dword-aligned), hence bounced. */
    public long unaligned()
    {
        return unaligned;
    }

    /** Requests split into several commands at the transfer limit. */
    public long split()
    {
        return split;
    }

    /** Commands resubmitted after a retryable error or a controller reset. */
    public long retries()
    {
        return retries;
    }

    /** Abort commands sent for commands past their deadline. */
    public long aborts()
    {
        return aborts;
    }

    /** Commands that missed their deadline after an Abort too (each led to a controller reset). */
    public long timeouts()
    {
        return timeouts;
    }

    /** Times this queue saw CSTS.CFS or all-ones registers. */
    public long fatalStatusSeen()
    {
        return fatalStatusSeen;
    }

    /** Times this queue was re-created after a controller reset. */
    public long recoveries()
    {
        return recoveries;
    }

    @Override
    public String toString()
    {
        return "IoCounters{zeroCopy=" + zeroCopy + ", temporary=" + temporary + ", temporaryExhausted="
            + temporaryExhausted + ", bounced=" + bounced + ", unaligned=" + unaligned + ", split=" + split
            + ", retries=" + retries + ", aborts=" + aborts + ", timeouts=" + timeouts + ", fatalStatusSeen="
            + fatalStatusSeen + ", recoveries=" + recoveries + '}';
    }
}
