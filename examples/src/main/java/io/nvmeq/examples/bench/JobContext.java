package io.nvmeq.examples.bench;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workers of one job share while it runs: the spec, the region it covers, how it picks blocks, the
 * expected write sequence of every block (with verification), the I/Os left before {@code io_size} is done, the
 * group's stop request (Ctrl-C) and the clock: measured from {@code measureStart} (the end of the ramp) to
 * {@code endAt}.
 */
final class JobContext
{
    final JobSpec spec;
    final int index;
    final int lbaSize;
    final long firstBlock;
    final long blocks;
    final BlockPicker picker;
    /** Last write sequence of each block of the whole region, by block index; null without verification. */
    final long[] sequences;
    final long measureStart;
    final long endAt;
    /** I/Os this job may still issue: io_size / bs, or unlimited for a time-based job. */
    final AtomicLong budget;
    /** Set to end every job of the group early (an interrupt); they stop issuing and drain. */
    final AtomicBoolean stop;
    /** With --rate_iops: the time between two issues of this job, and when the next one may go; else 0. */
    final long rateIntervalNs;
    private final AtomicLong nextIssueAt;

    JobContext(final JobSpec spec, final int index, final int lbaSize, final long firstBlock, final long blocks,
        final long[] sequences, final long measureStart, final long endAt, final long ios, final AtomicBoolean stop)
    {
        this.budget = new AtomicLong(ios);
        this.stop = stop;
        this.rateIntervalNs = spec.rateIops() == 0 ? 0 : Math.max(1, 1_000_000_000L / spec.rateIops());
        this.nextIssueAt = new AtomicLong(measureStart - spec.rampNs());
        this.spec = spec;
        this.index = index;
        this.lbaSize = lbaSize;
        this.firstBlock = firstBlock;
        this.blocks = blocks;
        this.picker = new BlockPicker(spec.rw().random(), firstBlock, blocks, spec.verify() ? spec.iodepth() : 0);
        this.sequences = sequences;
        this.measureStart = measureStart;
        this.endAt = endAt;
    }

    /**
     * With --rate_iops: how long until the job may issue its next I/O (0: now, and this call took that turn);
     * without it, always 0. A job that fell behind (a slow device) does not burst to catch up by more than one
     * I/O.
     */
    long rateWait(final long now)
    {
        if (rateIntervalNs == 0)
        {
            return 0;
        }
        while (true)
        {
            final long at = nextIssueAt.get();
            if (now < at)
            {
                return at - now;
            }
            if (nextIssueAt.compareAndSet(at, Math.max(at, now - rateIntervalNs) + rateIntervalNs))
            {
                return 0;
            }
        }
    }

    /** Claims one I/O of the job's budget; false once io_size is done. */
    boolean claim()
    {
        return budget.getAndDecrement() > 0;
    }

    /** Logical blocks of the device per I/O. */
    int lbasPerIo()
    {
        return spec.bs() / lbaSize;
    }
}
