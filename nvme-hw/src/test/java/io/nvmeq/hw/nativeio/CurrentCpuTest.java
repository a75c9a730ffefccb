package io.nvmeq.hw.nativeio;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurrentCpuTest
{
    @Test
    void aPinnedThreadRunsOnItsCpu() throws Exception
    {
        final BitSet usable = CpuAffinity.currentThreadAffinity();
        usable.and(CpuAffinity.onlineCpus());
        // The highest usable CPU: on a multi-CPU machine not CPU 0, so a binding that always answers 0 fails.
        final int cpu = usable.length() - 1;
        final CompletableFuture<Integer> seen = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                CpuAffinity.pinCurrentThread(cpu);
                seen.complete(CurrentCpu.get());
            }
            catch (final Throwable ex)
            {
                seen.completeExceptionally(ex);
            }
        }, "current-cpu-test");
        thread.start();
        assertEquals(cpu, seen.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anUnpinnedThreadRunsOnAUsableCpu()
    {
        final BitSet usable = CpuAffinity.currentThreadAffinity();
        final int cpu = CurrentCpu.get();
        assertTrue(usable.get(cpu), "CPU " + cpu + " is not in this thread's affinity " + usable);
    }
}
