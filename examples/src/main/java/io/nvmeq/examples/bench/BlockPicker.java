package io.nvmeq.examples.bench;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the block (in units of the job's {@code bs}) of a job's next I/O: uniformly at random, or in order
 * wrapping around at the end, as fio does. With verification each outstanding slot of the job owns a stripe of
 * the region, so that no two I/Os in flight ever touch the same block and a block's expected write sequence is
 * exact; without it every slot ranges over the whole region, as fio's do. Allocates nothing per call.
 */
final class BlockPicker
{
    private final boolean random;
    private final long firstBlock;
    private final long blocks;
    private final boolean striped;
    private final long stripeBlocks;
    private final AtomicLong cursor = new AtomicLong();
    private final long[] stripeCursors;

    /**
     * @param stripes the job's slots when striped (each slot's stripe holds blocks / stripes blocks), else 0
     */
    BlockPicker(final boolean random, final long firstBlock, final long blocks, final int stripes)
    {
        if (blocks < Math.max(1, stripes))
        {
            throw new IllegalArgumentException("a region of " + blocks + " blocks cannot be split into " + stripes +
                " stripes");
        }
        this.random = random;
        this.firstBlock = firstBlock;
        this.blocks = blocks;
        this.striped = stripes > 0;
        this.stripeBlocks = striped ? blocks / stripes : blocks;
        this.stripeCursors = new long[Math.max(1, stripes)];
    }

    /**
     * @param rng    the calling thread's generator
     * @param stripe the slot's stripe (ignored unless striped); a stripe is only ever used by one thread
     */
    long next(final SplittableRandom rng, final int stripe)
    {
        if (striped)
        {
            final long base = firstBlock + stripe * stripeBlocks;
            if (random)
            {
                return base + rng.nextLong(stripeBlocks);
            }
            final long at = stripeCursors[stripe];
            stripeCursors[stripe] = at + 1 == stripeBlocks ? 0 : at + 1;
            return base + at;
        }
        if (random)
        {
            return firstBlock + rng.nextLong(blocks);
        }
        return firstBlock + Long.remainderUnsigned(cursor.getAndIncrement(), blocks);
    }
}
