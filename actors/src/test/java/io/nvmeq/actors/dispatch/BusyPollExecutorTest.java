package io.nvmeq.actors.dispatch;

import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.NvmeqSettings.IdleStrategyKind;
import io.nvmeq.hw.nativeio.CpuAffinity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The duty-cycle executor on its own: pinning, pollers, parking and waking, shutdown. */
class BusyPollExecutorTest
{
    /** Bounds every wait; none of these is a performance expectation. */
    private static final long WAIT_SECONDS = 10;

    private BusyPollExecutor executor;

    @AfterEach
    void shutDown() throws InterruptedException
    {
        if (executor != null)
        {
            executor.shutdown();
            assertTrue(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    private static BusyPollExecutor start(final int cpu, final String maxPark)
    {
        final Config busyPoll = ConfigFactory.parseMap(Map.of(
                "max-spins", 10, "max-yields", 5, "min-park", "1us", "max-park", maxPark))
            .withFallback(ConfigFactory.load().getConfig("nvmeq.busy-poll"));
        return new BusyPollExecutor("busy-poll-test", cpu, IdleStrategies.create(IdleStrategyKind.BACKOFF, busyPoll),
            IdleStrategies.parkThreshold(IdleStrategyKind.BACKOFF, busyPoll), 4, 64, CompletionMode.BUSY_POLL, 0, 1_000_000);
    }

    @Test
    void runsTasksOnOneThreadPinnedToItsCpu() throws Exception
    {
        final int cpu = CpuAffinity.onlineCpus().nextSetBit(0);
        executor = start(cpu, "1ms");
        final CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        // More tasks than the array queue holds: the rest spill into the overflow queue and still run.
        final CountDownLatch all = new CountDownLatch(100);
        executor.execute(() -> ranOn.complete(Thread.currentThread()));
        for (int i = 0; i < 100; i++)
        {
            executor.execute(all::countDown);
        }
        assertSame(executor.thread(), ranOn.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(all.await(WAIT_SECONDS, TimeUnit.SECONDS));
        final BitSet expected = new BitSet();
        expected.set(cpu);
        assertEquals(expected, CpuAffinity.affinityOf(executor.thread().threadId()));
        assertEquals(cpu, executor.thread().pinnedCpu());
        assertNull(executor.thread().pinFailure());
        assertNull(BusyPollThread.currentExecutor(), "the test thread is no busy-poll thread");
    }

    @Test
    void pollsABusyPollerUntilItsWorkIsDoneAndPollersAreConfinedToTheThread() throws Exception
    {
        executor = start(-1, "1ms");
        final AtomicInteger outstanding = new AtomicInteger(1000);
        final CountDownLatch done = new CountDownLatch(1);
        final Poller poller = new Poller()
        {
            @Override
            public int poll()
            {
                if (outstanding.get() > 0 && outstanding.decrementAndGet() == 0)
                {
                    done.countDown();
                }
                return 0; // no visible progress: only busy() keeps the thread spinning
            }

            @Override
            public boolean busy()
            {
                return outstanding.get() > 0;
            }
        };
        assertThrows(IllegalStateException.class, () -> executor.register(poller));
        final CompletableFuture<Integer> registered = new CompletableFuture<>();
        executor.execute(() ->
        {
            BusyPollThread.currentExecutor().register(poller);
            registered.complete(executor.pollerCount());
        });
        assertEquals(1, registered.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        final CompletableFuture<Integer> unregistered = new CompletableFuture<>();
        executor.execute(() ->
        {
            executor.unregister(poller);
            unregistered.complete(executor.pollerCount());
        });
        assertEquals(0, unregistered.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aParkedThreadIsWokenByANewTask() throws Exception
    {
        // Parks for up to an hour per idle step: only the unpark in execute() can run the task in time.
        executor = start(-1, "1h");
        final CountDownLatch first = new CountDownLatch(1);
        executor.execute(first::countDown);
        assertTrue(first.await(WAIT_SECONDS, TimeUnit.SECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (executor.thread().getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.TIMED_WAITING, executor.thread().getState(), "the idle thread should park");
        for (int i = 0; i < 20; i++)
        {
            final CountDownLatch next = new CountDownLatch(1);
            executor.execute(next::countDown);
            assertTrue(next.await(WAIT_SECONDS, TimeUnit.SECONDS), "lost wake-up at task " + i);
            Thread.sleep(2);
        }
    }

    @Test
    void shutdownEndsTheThreadAfterQueuedTasksAndRefusesNewOnes() throws Exception
    {
        executor = start(-1, "1ms");
        final CountDownLatch ran = new CountDownLatch(1);
        executor.execute(ran::countDown);
        executor.shutdown();
        assertTrue(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(executor.isTerminated());
        assertEquals(0, ran.getCount(), "a task queued before shutdown still runs");
        assertTrue(!executor.thread().isAlive());
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }));
    }
}
