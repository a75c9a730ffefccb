package io.nvmeq.hw.emu;

/** One namespace: a range of logical blocks at {@code baseOffset} of a {@link BlockStore}. */
final class Namespace
{
    final int nsid;
    final BlockStore store;
    final long baseOffset;
    final long blocks;
    final int blockShift;
    /** Keeps single-block writes atomic across queues (AWUN 0). */
    final BlockLocks locks;

    Namespace(final int nsid, final BlockStore store, final long baseOffset, final long blocks, final int blockSize)
    {
        this.nsid = nsid;
        this.store = store;
        this.baseOffset = baseOffset;
        this.blocks = blocks;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.locks = new BlockLocks(blockShift);
    }

    /** Whether [slba, slba + count) lies inside the namespace; slba is unsigned as in the command. */
    boolean contains(final long slba, final long count)
    {
        return slba >= 0 && slba < blocks && count <= blocks - slba;
    }

    long offsetOf(final long lba)
    {
        return baseOffset + (lba << blockShift);
    }
}
