package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import io.nvmeq.hw.nativeio.CpuAffinity;

/** Decides which CPU each queue pair's thread is pinned to, and which queue pair serves each CPU. */
final class CpuPlan
{
    private CpuPlan()
    {
    }

    /** CPUs this process may run on and the kernel has online (the main thread's affinity). */
    static BitSet usableCpus()
    {
        final BitSet usable = CpuAffinity.affinityOf((int)ProcessHandle.current().pid());
        usable.and(CpuAffinity.onlineCpus());
        return usable;
    }

    /** Queue pairs wanted: the configured count, else one per configured CPU, else one per usable CPU. */
    static int wantedQueuePairs(final NvmeqSettings settings, final BitSet usable)
    {
        if (settings.queuePairs() > 0)
        {
            return settings.queuePairs();
        }
        return settings.cpus().isEmpty() ? Math.max(1, usable.cardinality()) : settings.cpus().size();
    }

    /**
     * CPU for each of {@code queuePairs}: the configured list in order, else the usable CPUs from the
     * lowest; either wraps around when there are more queue pairs than CPUs.
     *
     * @throws IllegalArgumentException if a configured CPU is not usable
     */
    static List<Integer> assign(final int queuePairs, final List<Integer> configured, final BitSet usable)
    {
        final List<Integer> source = new ArrayList<>();
        if (configured.isEmpty())
        {
            usable.stream().forEach(source::add);
        }
        else
        {
            for (final int cpu : configured)
            {
                if (!usable.get(cpu))
                {
                    throw new IllegalArgumentException("CPU " + cpu + " is not usable by this process (usable: " +
                        usable + ")");
                }
                source.add(cpu);
            }
        }
        if (source.isEmpty())
        {
            throw new IllegalArgumentException("no usable CPU to run queue pairs on");
        }
        final List<Integer> cpus = new ArrayList<>(queuePairs);
        for (int i = 0; i < queuePairs; i++)
        {
            cpus.add(source.get(i % source.size()));
        }
        return cpus;
    }

    /**
     * The queue pairs serving each CPU, by CPU number (as blk-mq maps CPUs to hardware queues): the
     * queue pairs pinned to that CPU; a CPU without one of its own (offline, not allowed to this process,
     * or more CPUs than queue pairs) is served by queue pair {@code cpu % queuePairs}, so the threads of
     * one CPU still share one queue pair.
     *
     * @param cpus the CPU of each queue pair, by queue index (from {@link #assign})
     * @return one non-empty array of queue indexes per CPU 0 .. {@link CpuAffinity#MAX_CPUS} - 1
     */
    static int[][] queuesByCpu(final List<Integer> cpus)
    {
        if (cpus.isEmpty())
        {
            throw new IllegalArgumentException("no queue pair to route to");
        }
        final int[][] byCpu = new int[CpuAffinity.MAX_CPUS][];
        for (int cpu = 0; cpu < byCpu.length; cpu++)
        {
            int own = 0;
            for (final int pinned : cpus)
            {
                own += pinned == cpu ? 1 : 0;
            }
            if (own == 0)
            {
                byCpu[cpu] = new int[] {cpu % cpus.size()};
                continue;
            }
            byCpu[cpu] = new int[own];
            int next = 0;
            for (int queue = 0; queue < cpus.size(); queue++)
            {
                if (cpus.get(queue) == cpu)
                {
                    byCpu[cpu][next++] = queue;
                }
            }
        }
        return byCpu;
    }
}
