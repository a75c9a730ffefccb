package io.nvmeq.actors;

import io.nvmeq.engine.DmaBuffer;

/** Allocates DMA buffers the controller's queue pairs can transfer into and out of. Thread-safe. */
@FunctionalInterface
public interface DmaAllocator
{
    /** A page-aligned, pinned buffer of at least {@code bytes}, mapped for the device; close it when done. */
    DmaBuffer allocate(int bytes);
}
