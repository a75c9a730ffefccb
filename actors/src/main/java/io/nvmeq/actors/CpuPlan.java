package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import io.nvmeq.hw.nativeio.CpuAffinity;

/** Decides which CPU each queue pair's thread is pinned to. */
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
}
