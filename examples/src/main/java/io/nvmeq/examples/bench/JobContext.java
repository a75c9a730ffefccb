package io.nvmeq.examples.bench;

/**
 * What the workers of one job share while it runs: the spec, the region it covers, how it picks blocks, the
 * expected write sequence of every block (with verification) and the clock: measured from {@code measureStart}
 * (the end of the ramp) to {@code endAt}.
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

    JobContext(final JobSpec spec, final int index, final int lbaSize, final long firstBlock, final long blocks,
        final long[] sequences, final long measureStart, final long endAt)
    {
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

    /** Logical blocks of the device per I/O. */
    int lbasPerIo()
    {
        return spec.bs() / lbaSize;
    }
}
