package io.nvmeq.actors;

import java.util.List;
import java.util.function.IntSupplier;

import io.nvmeq.hw.nativeio.CurrentCpu;

/**
 * Picks the queue pair for a facade request from the CPU the caller runs on ({@code sched_getcpu}), as
 * the Linux block layer picks the hardware queue of the submitting CPU: the request then goes to the
 * queue pair whose thread shares that CPU's caches, and callers on different CPUs never contend for
 * one queue pair. Allocation-free; thread-safe (the table never changes).
 */
final class CpuRouting
{
    /** The CPU source of a real process: the kernel's answer for the calling thread. */
    static final IntSupplier SCHED_GETCPU = CurrentCpu::get;

    private final int[][] queuesByCpu;
    private final int queuePairs;
    private final IntSupplier cpuSource;

    /**
     * @param cpus      the CPU of each queue pair, by queue index
     * @param cpuSource the caller's CPU now (tests inject one); a negative answer means unknown
     */
    CpuRouting(final List<Integer> cpus, final IntSupplier cpuSource)
    {
        this.queuesByCpu = CpuPlan.queuesByCpu(cpus);
        this.queuePairs = cpus.size();
        this.cpuSource = cpuSource;
    }

    /**
     * The queue index for the calling thread: a queue pair of its CPU (several on one CPU are shared
     * out by thread id, so each thread keeps its own); the thread id modulo the queue count where the
     * CPU is unknown or outside the table.
     */
    int queueForCaller()
    {
        final long threadId = Thread.currentThread().getId();
        final int cpu = cpuSource.getAsInt();
        if (cpu < 0 || cpu >= queuesByCpu.length)
        {
            return (int)Long.remainderUnsigned(threadId, queuePairs);
        }
        final int[] queues = queuesByCpu[cpu];
        return queues.length == 1 ? queues[0] : queues[(int)Long.remainderUnsigned(threadId, queues.length)];
    }
}
