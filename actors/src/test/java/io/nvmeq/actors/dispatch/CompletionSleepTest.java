package io.nvmeq.actors.dispatch;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.NvmeqSettings.IdleStrategyKind;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.CompletionInterrupt;
import io.nvmeq.engine.CompletionVectors;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.DetachingDevice;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.NvmeDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executor's sleep in interrupt and adaptive mode against real completion queues of the emulated
 * controller: no completion and no task is lost around a sleep, an idle thread stays asleep, a shared
 * vector wakes the thread for each of its queues, and a modelled completion's deadline ends a sleep.
 * Every wait is bounded; none is a performance expectation, and nothing is asserted on time.
 */
class CompletionSleepTest
{
    private static final long WAIT_SECONDS = 20;

    private BusyPollExecutor executor;
    private NvmeController controller;

    @AfterEach
    void shutDown() throws InterruptedException
    {
        if (executor != null)
        {
            executor.shutdown();
            assertTrue(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        if (controller != null)
        {
            controller.close();
        }
    }

    private static BusyPollExecutor start(final CompletionMode mode, final long busySleepNanos)
    {
        final Config busyPoll = ConfigFactory.load().getConfig("nvmeq.busy-poll");
        return new BusyPollExecutor("completion-sleep-test", -1, IdleStrategies.create(IdleStrategyKind.BACKOFF, busyPoll),
            IdleStrategies.parkThreshold(IdleStrategyKind.BACKOFF, busyPoll), 16, 64, mode, 50_000, busySleepNanos);
    }

    /** Queue pairs 1..owners.length with interrupts, queue i on the vector of owners[i]. */
    private QueuePair[] queues(final String uri, final Object... owners)
    {
        return queues(Devices.open(uri), owners);
    }

    private QueuePair[] queues(final NvmeDevice device, final Object... owners)
    {
        final CompletionVectors vectors = new CompletionVectors();
        for (int i = 0; i < owners.length; i++)
        {
            vectors.assign(i + 1, owners[i]);
        }
        controller = NvmeController.open(device, ControllerOptions.defaults()
            .withIoQueuePairs(owners.length).withIoQueueEntries(32).withCompletionVectors(vectors));
        final QueuePair[] queues = new QueuePair[owners.length];
        for (int i = 0; i < owners.length; i++)
        {
            queues[i] = controller.createQueuePair(i + 1);
        }
        return queues;
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        // A guard against a hang, not a speed check: the assertion is on the fact, after a generous wait.
        final long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean() && System.nanoTime() - guard < 0)
        {
            Thread.sleep(1);
        }
        assertTrue(condition.getAsBoolean(), "never happened: " + what);
    }

    private void run(final Runnable onThread) throws Exception
    {
        final CountDownLatch done = new CountDownLatch(1);
        executor.execute(() ->
        {
            onThread.run();
            done.countDown();
        });
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void anIdleThreadSleepsAndStaysAsleepAndEachTaskSentToItIsServed() throws Exception
    {
        executor = start(CompletionMode.INTERRUPT, 1_000_000);
        final SleepCounters counters = executor.sleepCounters();
        for (int i = 0; i < 20; i++)
        {
            awaitTrue(executor::isSleeping, "the idle thread sleeps");
            final long sleeps = counters.sleeps();
            // A task sent to the sleeping thread wakes it through the wake-up eventfd and runs.
            run(() -> { });
            awaitTrue(() -> counters.sleeps() > sleeps, "the sleep ended");
        }
        awaitTrue(executor::isSleeping, "the idle thread sleeps");
        final long before = counters.sleeps();
        Thread.sleep(200);
        // Asleep with no deadline: no timer wakes it (busy-poll's backoff would have parked and woken ~200 times).
        assertTrue(counters.sleeps() - before <= 1, "sleeps while idle: " + (counters.sleeps() - before));
        // A sender that saw the thread asleep writes the wake-up eventfd even if the thread, already awake, took
        // the task in its last look; the next sleep then ends at once with nothing to do. That is the only source
        // of a spurious wake-up here, so there are at most as many as tasks sent, never one per timer tick.
        assertTrue(counters.spuriousWakeups() <= 20, "spurious wake-ups: " + counters.spuriousWakeups());
        assertEquals(0, counters.interrupts());
    }

    @Test
    void aCompletionLandingAfterTheLastPollBeforeTheSleepIsReaped() throws Exception
    {
        executor = start(CompletionMode.INTERRUPT, TimeUnit.SECONDS.toNanos(60));
        final QueuePair queue = queues("emu:memory?size=1m&queues=1", "thread")[0];
        final CountDownLatch answered = new CountDownLatch(1);
        final AtomicInteger answers = new AtomicInteger();
        final CompletionHandler<Object> handler = (token, attachment, status) ->
        {
            answers.incrementAndGet();
            answered.countDown();
        };
        // The poller's look after the executor armed the interrupt submits a read and reports nothing:
        // the completion lands between the last look and the sleep. Only the armed vector can wake the
        // thread (no task follows, and a busy sleep is bounded by a minute here).
        final AtomicInteger pending = new AtomicInteger(1);
        final Poller racing = new QueuePoller(queue)
        {
            @Override
            public int poll()
            {
                if (executor.isSleeping() && pending.compareAndSet(1, 0))
                {
                    assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), handler, 0, null));
                    queue.ringDoorbell();
                    return 0;
                }
                return super.poll();
            }
        };
        run(() -> executor.register(racing));
        assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), "the completion was reaped");
        awaitTrue(() -> executor.sleepCounters().interrupts() >= 1, "the interrupt ended the sleep");
        assertEquals(1, answers.get());
    }

    @Test
    void aSharedVectorWakesTheThreadForEachOfItsQueues() throws Exception
    {
        executor = start(CompletionMode.INTERRUPT, TimeUnit.SECONDS.toNanos(60));
        final QueuePair[] queues = queues("emu:memory?size=1m&queues=2&latency=read:5ms", "thread", "thread");
        final CompletionInterrupt first = queues[0].interrupt();
        assertNotNull(first);
        assertSame(first.eventFd(), queues[1].interrupt().eventFd(), "one vector for the thread's two queues");
        final CountDownLatch answered = new CountDownLatch(20);
        final CompletionHandler<Object> handler = (token, attachment, status) -> answered.countDown();
        run(() ->
        {
            executor.register(new QueuePoller(queues[0]));
            executor.register(new QueuePoller(queues[1]));
        });
        for (int i = 0; i < 10; i++)
        {
            // One read on each queue, 5 ms each (modelled): the thread sleeps until a deadline or the vector.
            run(() ->
            {
                for (final QueuePair queue : queues)
                {
                    assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), handler, 0, null));
                    queue.ringDoorbell();
                }
            });
        }
        assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), "every read on both queues was reaped");
        assertTrue(executor.sleepCounters().sleeps() >= 1);
    }

    @Test
    void aModelledCompletionEndsTheSleepAtItsDeadlineInEachSleepingMode() throws Exception
    {
        for (final CompletionMode mode : new CompletionMode[] {CompletionMode.ADAPTIVE, CompletionMode.INTERRUPT})
        {
            // Busy sleeps bounded by a minute: only the emulator's next poll deadline can end them in time.
            executor = start(mode, TimeUnit.SECONDS.toNanos(60));
            final QueuePair queue = queues("emu:memory?size=1m&queues=1&latency=read:20ms", "thread")[0];
            final CountDownLatch answered = new CountDownLatch(5);
            final CompletionHandler<Object> handler = (token, attachment, status) -> answered.countDown();
            run(() -> executor.register(new QueuePoller(queue)));
            for (int i = 0; i < 5; i++)
            {
                run(() ->
                {
                    assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), handler, 0, null));
                    queue.ringDoorbell();
                });
            }
            assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), mode + ": every read was reaped");
            executor.shutdown();
            assertTrue(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
            executor = null;
            controller.close();
            controller = null;
        }
    }

    /** Reads, one at a time, each submitted by a task on the thread (which wakes it), until each is answered. */
    private void readOneByOne(final QueuePair queue, final int reads) throws Exception
    {
        for (int i = 0; i < reads; i++)
        {
            final CountDownLatch answered = new CountDownLatch(1);
            final CompletionHandler<Object> handler = (token, attachment, status) -> answered.countDown();
            run(() ->
            {
                assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), handler, 0, null));
                queue.ringDoorbell();
            });
            assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), "read " + i + " was reaped");
        }
    }

    /**
     * Reads of 2 ms, each sent to the thread asleep, until it has detached its vector: it does so once it has
     * been awake long enough, at its next duty cycle, which a thread kept off its CPU may reach only after it
     * has answered the read and gone to sleep again.
     */
    private void readUntilDetached(final QueuePair queue, final DetachingDevice device) throws Exception
    {
        for (int i = 0; i < 100 && !device.calls().contains("detach 1"); i++)
        {
            awaitTrue(executor::isSleeping, "the idle thread sleeps");
            readOneByOne(queue, 1);
        }
        awaitTrue(() -> device.calls().contains("detach 1"), "the vector was detached while the thread was awake");
    }

    /** Each detach followed by an attach and the reverse, starting with a detach (routed vectors are attached). */
    private static void assertAlternating(final List<String> calls, final int vector)
    {
        for (int i = 0; i < calls.size(); i++)
        {
            assertEquals((i % 2 == 0 ? "detach " : "attach ") + vector, calls.get(i), "call " + i + " of " + calls);
        }
    }

    @Test
    void adaptiveModeDetachesAVfioStyleVectorWhileAwakeAndAttachesItBeforeEachSleep() throws Exception
    {
        executor = start(CompletionMode.ADAPTIVE, TimeUnit.SECONDS.toNanos(60));
        // Each read keeps the thread awake, spinning, for 2 ms: past the time after which it detaches.
        final DetachingDevice device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1&latency=read:2ms"));
        final QueuePair queue = queues(device, "thread")[0];
        run(() -> executor.register(new QueuePoller(queue)));
        readUntilDetached(queue, device);
        readOneByOne(queue, 5);
        // The vector was detached while the thread spun for a read; each sleep since attached it first. The
        // thread sleeps now, attached.
        awaitTrue(() -> executor.isSleeping() && !device.detached(1), "the idle thread sleeps with its vector attached");
        final List<String> calls = device.calls();
        assertTrue(calls.size() >= 2, "detached and attached again: " + calls);
        assertAlternating(calls, 1);
    }

    @Test
    void aCompletionLandingWhileAVfioStyleVectorIsReattachedBeforeTheSleepIsReaped() throws Exception
    {
        executor = start(CompletionMode.ADAPTIVE, TimeUnit.SECONDS.toNanos(60));
        final DetachingDevice device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1&latency=read:2ms"));
        final QueuePair queue = queues(device, "thread")[0];
        final CountDownLatch answered = new CountDownLatch(1);
        final CompletionHandler<Object> handler = (token, attachment, status) -> answered.countDown();
        // Once the thread has detached its vector (spinning 2 ms for a read), its look after the next arm
        // submits a write (not delayed) and reports nothing: only the vector attached again can end the sleep
        // that follows.
        final AtomicInteger pending = new AtomicInteger();
        final Poller racing = new QueuePoller(queue)
        {
            @Override
            public int poll()
            {
                if (executor.isSleeping() && pending.compareAndSet(1, 0))
                {
                    assertTrue(queue.submitWrite(1, 0, 1, ByteBuffer.allocate(512), false, handler, 0, null));
                    queue.ringDoorbell();
                    return 0;
                }
                return super.poll();
            }
        };
        run(() -> executor.register(racing));
        readUntilDetached(queue, device);
        awaitTrue(executor::isSleeping, "the idle thread sleeps");
        run(() -> pending.set(1));
        assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), "the completion was reaped");
        awaitTrue(() -> executor.sleepCounters().interrupts() >= 1, "the interrupt ended the sleep");
    }

    @Test
    void interruptModeLeavesAVfioStyleVectorAttached() throws Exception
    {
        executor = start(CompletionMode.INTERRUPT, TimeUnit.SECONDS.toNanos(60));
        final DetachingDevice device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1"));
        final QueuePair queue = queues(device, "thread")[0];
        run(() -> executor.register(new QueuePoller(queue)));
        readOneByOne(queue, 10);
        awaitTrue(executor::isSleeping, "the idle thread sleeps");
        // It sleeps around nearly every completion: two system calls per I/O would cost more than the interrupt.
        assertEquals(List.of(), device.calls());
    }

    @Test
    void aRefusedAttachMakesTheThreadPollInsteadOfWaitingAndLosesNothing() throws Exception
    {
        executor = start(CompletionMode.ADAPTIVE, TimeUnit.SECONDS.toNanos(60));
        final DetachingDevice device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1&latency=read:2ms"));
        final QueuePair queue = queues(device, "thread")[0];
        run(() -> executor.register(new QueuePoller(queue)));
        awaitTrue(() -> executor.isSleeping() && !device.detached(1), "the idle thread sleeps with its vector attached");
        device.refuseAttaches(Integer.MAX_VALUE);
        // Detached while it is awake for a read, the thread's next sleep is refused its attach.
        readUntilDetached(queue, device);
        awaitTrue(() -> device.refusedAttaches() >= 2, "attaches were refused, and tried again");
        // Detached for as long as the kernel refuses: the thread must see each completion by polling.
        final long interrupts = executor.sleepCounters().interrupts();
        readOneByOne(queue, 5);
        assertTrue(device.detached(1));
        assertEquals(interrupts, executor.sleepCounters().interrupts(), "no wait on the detached vector");
        device.refuseAttaches(0);
        awaitTrue(() -> executor.isSleeping() && !device.detached(1), "attached once the kernel accepts, then asleep");
    }

    @Test
    void aDetachWaitsUntilTheThreadHasBeenAwakeAboutAsLongAsADetachAndAnAttachCost()
    {
        final DetachingDevice device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1"));
        final Poller[] pollers = {new QueuePoller(queues(device, "thread")[0])};
        try (CompletionSleep sleep = new CompletionSleep(new SleepCounters(), 1_000_000, true))
        {
            final long woke = 1_000_000_000L;
            sleep.arm(pollers);
            sleep.disarm(woke);
            sleep.quietIfDue(woke + CompletionSleep.INITIAL_DETACH_AFTER_NANOS - 1);
            assertEquals(List.of(), device.calls(), "awake too short a time: still attached, no system call");
            sleep.quietIfDue(woke + CompletionSleep.INITIAL_DETACH_AFTER_NANOS);
            assertEquals(List.of("detach 1"), device.calls());
            sleep.quietIfDue(woke + 10 * CompletionSleep.INITIAL_DETACH_AFTER_NANOS);
            assertEquals(List.of("detach 1"), device.calls(), "detached once per wake-up");

            // Learned from what that detach took (here a BAR write, on VFIO a system call): no time is asserted.
            final long learned = sleep.detachAfterNanos();
            assertTrue(learned > 0);
            sleep.arm(pollers);
            assertEquals(List.of("detach 1", "attach 1"), device.calls());
            sleep.disarm(2 * woke);
            sleep.arm(pollers);
            assertEquals(List.of("detach 1", "attach 1"), device.calls(), "slept again soon: nothing detached or attached");
            sleep.disarm(3 * woke);
            sleep.quietIfDue(3 * woke + learned - 1);
            assertEquals(List.of("detach 1", "attach 1"), device.calls(), "not awake for the learned time yet");
            sleep.quietIfDue(3 * woke + learned);
            assertEquals(List.of("detach 1", "attach 1", "detach 1"), device.calls());
        }
        try (CompletionSleep interruptMode = new CompletionSleep(new SleepCounters(), 1_000_000, false))
        {
            interruptMode.arm(pollers);
            interruptMode.disarm(0);
            interruptMode.quietIfDue(Long.MAX_VALUE / 2);
            interruptMode.arm(pollers);
            assertEquals(List.of("detach 1", "attach 1", "detach 1", "attach 1"), device.calls(),
                "interrupt mode only attached what adaptive mode had left detached, and detaches nothing");
        }
    }

    /** Reaps one queue pair on the executor's thread, with the queue's interrupt. */
    private static class QueuePoller implements Poller
    {
        private final QueuePair queue;

        QueuePoller(final QueuePair queue)
        {
            this.queue = queue;
        }

        @Override
        public int poll()
        {
            return queue.poll(64);
        }

        @Override
        public boolean busy()
        {
            return queue.requestsInFlight() > 0;
        }

        @Override
        public CompletionInterrupt interrupt()
        {
            return queue.interrupt();
        }
    }
}
