package io.nvmeq.actors;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.ConfigFactory;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.hw.nativeio.CpuAffinity;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Facade requests go to the queue pair of the caller's CPU, as blk-mq maps CPUs to hardware queues. */
class CpuRoutingTest
{
    private static final int NSID = 1;

    @Test
    void everyCpuMapsToItsOwnQueuePairsOrSharesOneByNumber()
    {
        final int[][] byCpu = CpuPlan.queuesByCpu(List.of(3, 5, 3));
        assertEquals(CpuAffinity.MAX_CPUS, byCpu.length);
        assertArrayEquals(new int[] {0, 2}, byCpu[3]);
        assertArrayEquals(new int[] {1}, byCpu[5]);
        assertArrayEquals(new int[] {4 % 3}, byCpu[4]);
        assertArrayEquals(new int[] {0}, byCpu[0]);
        assertArrayEquals(new int[] {1}, byCpu[1000 % CpuAffinity.MAX_CPUS]);
    }

    @Test
    void theCallersCpuPicksTheQueueAndAnUnknownCpuFallsBackToTheThreadId()
    {
        final AtomicInteger cpu = new AtomicInteger();
        final CpuRouting routing = new CpuRouting(List.of(6, 2), cpu::get);
        cpu.set(6);
        assertEquals(0, routing.queueForCaller());
        cpu.set(2);
        assertEquals(1, routing.queueForCaller());
        cpu.set(7);
        assertEquals(1, routing.queueForCaller());
        cpu.set(-1);
        assertEquals((int)(Thread.currentThread().getId() % 2), routing.queueForCaller());
        cpu.set(CpuAffinity.MAX_CPUS);
        assertEquals((int)(Thread.currentThread().getId() % 2), routing.queueForCaller());
    }

    @Test
    void facadeRequestsReachTheQueuePairOfTheCallersCpu() throws Exception
    {
        final List<Integer> cpus = TestSupport.twoCpus();
        final AtomicInteger cpu = new AtomicInteger(cpus.get(0));
        try (Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("ROUTE-CPU"), ConfigFactory.load(), cpu::get))
        {
            final DmaBuffer buffer = nvmeq.allocate(512);
            for (int queue = 0; queue < nvmeq.queuePairs(); queue++)
            {
                // Two queue pairs on one CPU (a one-CPU machine) share it by thread id: the CPU then picks the pair.
                cpu.set(nvmeq.cpus().get(queue));
                final int expected = nvmeq.cpus().get(0).equals(nvmeq.cpus().get(1)) ? nvmeq.callerQueue() : queue;
                assertEquals(expected, nvmeq.callerQueue());
                final long before = nvmeq.counters(expected).submitted();
                final long otherBefore = nvmeq.counters(1 - expected).submitted();
                for (int i = 0; i < 5; i++)
                {
                    nvmeq.read(NSID, i, 1, buffer, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                assertEquals(before + 5, nvmeq.counters(expected).submitted());
                assertEquals(otherBefore, nvmeq.counters(1 - expected).submitted());
            }
            // A CPU without a queue pair of its own is served by number, from any thread.
            final int foreign = firstCpuWithoutQueue(nvmeq.cpus());
            cpu.set(foreign);
            final CompletableFuture<Integer> seen = new CompletableFuture<>();
            final Thread thread = new Thread(() -> seen.complete(nvmeq.callerQueue()));
            thread.start();
            assertEquals(foreign % nvmeq.queuePairs(), seen.get(10, TimeUnit.SECONDS));
        }
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }

    private static int firstCpuWithoutQueue(final List<Integer> cpus)
    {
        int cpu = 0;
        while (cpus.contains(cpu))
        {
            cpu++;
        }
        return cpu;
    }
}
