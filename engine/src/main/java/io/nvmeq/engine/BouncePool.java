package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bounce buffers of one queue pair: equal slots in one fixed-mapped DMA region, for data that cannot
 * go to the device where it lies (heap arrays, memory that breaks the PRP rules, direct memory when no
 * temporary IOVA is left). Single owner, like its queue pair; a slot is held by one command at a time.
 */
final class BouncePool
{
    static final int NONE = -1;

    private final DmaBuffer region;
    private final UnsafeBuffer memory;
    private final int slotBytes;
    private final int[] free;
    private int freeCount;

    BouncePool(final DmaBuffer region, final int slots, final int slotBytes)
    {
        this.region = region;
        this.memory = region.buffer();
        this.slotBytes = slotBytes;
        this.free = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            free[i] = slots - 1 - i;
        }
        this.freeCount = slots;
    }

    int slotBytes()
    {
        return slotBytes;
    }

    int slots()
    {
        return free.length;
    }

    int available()
    {
        return freeCount;
    }

    /** Takes a free slot; the caller checked {@link #available()}. */
    int acquire()
    {
        return free[--freeCount];
    }

    void release(final int slot)
    {
        free[freeCount++] = slot;
    }

    long iova(final int slot)
    {
        return region.iova() + (long)slot * slotBytes;
    }

    int offset(final int slot)
    {
        return slot * slotBytes;
    }

    UnsafeBuffer memory()
    {
        return memory;
    }

    void close()
    {
        region.close();
    }
}
