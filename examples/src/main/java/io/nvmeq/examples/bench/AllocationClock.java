package io.nvmeq.examples.bench;

import java.lang.management.ManagementFactory;

import com.sun.management.ThreadMXBean;

/**
 * Bytes the JVM allocated on the heap, all threads together (those that ended included), from HotSpot's
 * per-thread allocation counters. Read at the start and end of a measured window, the difference over the
 * I/Os is what the whole process allocated per I/O: the load generator, the driver, the actors and (for an
 * emulated controller) the device.
 */
final class AllocationClock
{
    private static final ThreadMXBean THREADS = threads();

    private AllocationClock()
    {
    }

    /** Heap bytes allocated by every thread since the JVM started; -1 where the JVM does not count them. */
    static long allocatedBytes()
    {
        return THREADS == null ? -1 : THREADS.getTotalThreadAllocatedBytes();
    }

    private static ThreadMXBean threads()
    {
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads &&
            threads.isThreadAllocatedMemorySupported())
        {
            threads.setThreadAllocatedMemoryEnabled(true);
            return threads;
        }
        return null;
    }
}
