package io.nvmeq.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.nativeio.CpuAffinity;

/** The reference matrix's CPUs: what nvmeq's side uses, given to the POSIX side too. */
class SharedCpusTest
{
    private static BitSet usable()
    {
        final BitSet usable = CpuAffinity.affinityOf((int)ProcessHandle.current().pid());
        usable.and(CpuAffinity.onlineCpus());
        return usable;
    }

    @Test
    void inlineTheDeviceRunsOnTheQueuePairsCpuSoBothSidesGetThatOne()
    {
        final SharedCpus cpus = SharedCpus.of("emu:memory?size=1m");
        final BitSet lowest = new BitSet();
        lowest.set(usable().nextSetBit(0));
        assertEquals(lowest, cpus.cpus());
        assertEquals(0, cpus.deviceThreads());
        assertTrue(cpus.mode().contains("inline (device-threads=0)"), cpus.mode());
    }

    @Test
    void withDeviceThreadsBothSidesGetTheQueuePairsCpuAndTheDevicesToo()
    {
        final SharedCpus cpus = SharedCpus.of("emu:memory?size=1m&device-threads=1");
        final BitSet usable = usable();
        final BitSet expected = new BitSet();
        if (usable.cardinality() > 1)
        {
            expected.set(usable.nextSetBit(0));
            expected.set(usable.length() - 1);
        }
        else
        {
            expected.or(usable);
        }
        assertEquals(expected, cpus.cpus());
        assertEquals(1, cpus.deviceThreads());
        assertTrue(cpus.mode().contains("device-threads=1"), cpus.mode());
    }

    @Test
    void aFileIsNoEmulatedController()
    {
        assertEquals(-1, SharedCpus.of("posix:/dev/shm/nvmeq-shared-cpus-test").deviceThreads());
    }
}
