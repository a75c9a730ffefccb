package io.nvmeq.hw.emu;

import java.util.Arrays;
import java.util.BitSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * The emulated controller's own threads ({@code device-threads=N}), as a real controller has cores that
 * work while the host does: an SQ tail doorbell only records the tail and wakes the core that serves
 * the queue (queue id modulo N, the admin queue on core 0); the core fetches, executes and completes.
 * Without them ({@code device-threads=0}, the default) the doorbell writer's thread does that work.
 */
final class DeviceCores
{
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCores.class);
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    private final DeviceCore[] cores;
    private final String uri;

    DeviceCores(final EmulatedController controller, final int count, final String uri)
    {
        this.uri = uri;
        this.cores = new DeviceCore[count];
        final int[] cpus = topCpus(count);
        for (int i = 0; i < count; i++)
        {
            cores[i] = new DeviceCore(controller, i, count, cpus[i], "nvmeq-emu-device-" + i);
        }
    }

    /**
     * The {@code count} highest CPUs this process may use, one per core; all -1 (unpinned) when it may use
     * no more CPUs than that (the host needs one) or its CPUs cannot be read.
     */
    private static int[] topCpus(final int count)
    {
        final int[] cpus = new int[count];
        Arrays.fill(cpus, -1);
        try
        {
            // The process's (its main thread's) CPUs, not those of the thread that opens the device.
            final BitSet usable = CpuAffinity.affinityOf((int)ProcessHandle.current().pid());
            usable.and(CpuAffinity.onlineCpus());
            if (usable.cardinality() <= count)
            {
                return cpus;
            }
            int cpu = usable.length() - 1;
            for (int i = 0; i < count; i++)
            {
                cpus[i] = cpu;
                cpu = usable.previousSetBit(cpu - 1);
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            LOG.warn("emulated controller: device threads run unpinned, the process's CPUs are unknown: {}", ex.getMessage());
        }
        return cpus;
    }

    /** The CPUs the cores are pinned to (-1: unpinned), for a description of the device. */
    int[] cpus()
    {
        final int[] cpus = new int[cores.length];
        for (int i = 0; i < cores.length; i++)
        {
            cpus[i] = cores[i].cpu();
        }
        return cpus;
    }

    void start()
    {
        for (final DeviceCore core : cores)
        {
            core.start();
        }
        LOG.info("emulated controller {}: {} device thread(s) on CPUs {} (-1: unpinned)", uri, cores.length,
            Arrays.toString(cpus()));
    }

    int count()
    {
        return cores.length;
    }

    /** Queue {@code qid} has new work (a tail doorbell, or room in its completion queue). */
    void doorbell(final int qid)
    {
        cores[qid % cores.length].doorbell();
    }

    /** Loops of all cores that found work. */
    long busyLoops()
    {
        long loops = 0;
        for (final DeviceCore core : cores)
        {
            loops += core.busyLoops();
        }
        return loops;
    }

    /** Stops every core and waits for it; the queues were deleted before, so none touches memory any more. */
    void stop()
    {
        boolean interrupted = false;
        for (final DeviceCore core : cores)
        {
            try
            {
                if (!core.stop(STOP_TIMEOUT_MILLIS))
                {
                    LOG.error("emulated controller {}: a device thread did not stop within {} ms", uri, STOP_TIMEOUT_MILLIS);
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
