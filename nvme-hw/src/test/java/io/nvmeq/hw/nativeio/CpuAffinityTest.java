package io.nvmeq.hw.nativeio;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuAffinityTest
{
    /** Runs {@code task} on a fresh thread, so pinning never touches the test runner's threads. */
    private static <T> T onFreshThread(final Callable<T> task) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                result.complete(task.call());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        }, "affinity-test");
        thread.start();
        try
        {
            return result.get(30, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof Exception)
            {
                throw (Exception)ex.getCause();
            }
            throw ex;
        }
    }

    private static BitSet only(final int cpu)
    {
        final BitSet set = new BitSet();
        set.set(cpu);
        return set;
    }

    @Test
    void threadIdsAreThoseOfTheKernel() throws Exception
    {
        final int here = CpuAffinity.currentThreadId();
        final int there = onFreshThread(CpuAffinity::currentThreadId);
        assertNotEquals(here, there);
        assertTrue(Files.isDirectory(Path.of("/proc/self/task/" + here)), "no /proc/self/task/" + here);
        assertEquals(LibC.libc().getpid(), ProcessHandle.current().pid());
    }

    @Test
    void pinToCpuZeroReadsBackExactlyZero() throws Exception
    {
        assumeTrue(CpuAffinity.currentThreadAffinity().get(0), "CPU 0 is not allowed to this process");
        final BitSet seen = onFreshThread(() ->
        {
            CpuAffinity.pinCurrentThread(0);
            return CpuAffinity.currentThreadAffinity();
        });
        assertEquals(only(0), seen);
    }

    @Test
    void pinToEveryAllowedCpu() throws Exception
    {
        final BitSet allowed = CpuAffinity.currentThreadAffinity();
        assertFalse(allowed.isEmpty());
        for (int cpu = allowed.nextSetBit(0); cpu >= 0; cpu = allowed.nextSetBit(cpu + 1))
        {
            final int target = cpu;
            final BitSet seen = onFreshThread(() ->
            {
                CpuAffinity.pinCurrentThread(target);
                return CpuAffinity.currentThreadAffinity();
            });
            assertEquals(only(cpu), seen, "pinned to CPU " + cpu);
        }
    }

    @Test
    void restrictToTheAllowedSetReadsBackThatSet() throws Exception
    {
        final BitSet allowed = CpuAffinity.currentThreadAffinity();
        allowed.and(CpuAffinity.onlineCpus());
        final BitSet first = only(allowed.nextSetBit(0));
        assertEquals(first, onFreshThread(() ->
        {
            CpuAffinity.restrictCurrentThread(first);
            return CpuAffinity.currentThreadAffinity();
        }));
        assertEquals(allowed, onFreshThread(() ->
        {
            CpuAffinity.pinCurrentThread(allowed.nextSetBit(0));
            CpuAffinity.restrictCurrentThread(allowed);
            return CpuAffinity.currentThreadAffinity();
        }));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.restrictCurrentThread(new BitSet()));
    }

    @Test
    void affinityOfAnotherThreadById() throws Exception
    {
        final int cpu = CpuAffinity.currentThreadAffinity().nextSetBit(0);
        final int[] tid = new int[1];
        final BitSet seenFromOutside = onFreshThread(() ->
        {
            CpuAffinity.pinCurrentThread(cpu);
            tid[0] = CpuAffinity.currentThreadId();
            // the thread is still alive here, so its id is valid for the outside view
            return CpuAffinity.affinityOf(tid[0]);
        });
        assertEquals(only(cpu), seenFromOutside);
        assertEquals(CpuAffinity.currentThreadAffinity(), CpuAffinity.affinityOf(CpuAffinity.currentThreadId()));
    }

    @Test
    void aCpuThatIsNotThereIsATypedErrorAndChangesNothing() throws Exception
    {
        final int absent = CpuAffinity.MAX_CPUS - 1;
        assumeTrue(!CpuAffinity.onlineCpus().get(absent), "this machine has CPU " + absent);
        final Object[] outcome = onFreshThread(() ->
        {
            final BitSet before = CpuAffinity.currentThreadAffinity();
            final NativeException ex = assertThrows(NativeException.class, () -> CpuAffinity.pinCurrentThread(absent));
            return new Object[] {ex, before, CpuAffinity.currentThreadAffinity()};
        });
        final NativeException ex = (NativeException)outcome[0];
        assertEquals(LibC.EINVAL, ex.errno());
        assertEquals("sched_setaffinity", ex.call());
        assertTrue(ex.getMessage().contains("CPU " + absent), ex.getMessage());
        assertTrue(ex.getMessage().contains("online CPUs"), ex.getMessage());
        assertEquals(outcome[1], outcome[2]);
    }

    @Test
    void cpuNumbersACpuSetCannotHoldAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(CpuAffinity.MAX_CPUS));
    }

    @Test
    void allowedCpusAreOnline()
    {
        final BitSet online = CpuAffinity.onlineCpus();
        final BitSet allowedButOffline = CpuAffinity.currentThreadAffinity();
        allowedButOffline.andNot(online);
        assertFalse(online.isEmpty());
        assertTrue(allowedButOffline.isEmpty(), "allowed but offline: " + allowedButOffline);
    }

    @Test
    void parsesTheKernelsCpuListFormat()
    {
        assertEquals(only(0), CpuAffinity.parseCpuList("0"));
        final BitSet expected = new BitSet();
        expected.set(0, 4);
        expected.set(8);
        expected.set(10, 12);
        assertEquals(expected, CpuAffinity.parseCpuList("0-3,8,10-11"));
        assertTrue(CpuAffinity.parseCpuList("").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parseCpuList("0-x"));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parseCpuList("3-1"));
    }
}
