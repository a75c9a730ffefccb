package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.dispatch.BusyPollThread;
import io.nvmeq.engine.DmaBuffer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared helpers of the actor tests. */
final class TestSupport
{
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TestSupport()
    {
    }

    /** At most two usable CPUs (this machine has two cores), as a list of two: [a, b] or [a, a]. */
    static List<Integer> twoCpus()
    {
        final BitSet usable = CpuPlan.usableCpus();
        final int first = usable.nextSetBit(0);
        final int second = usable.nextSetBit(first + 1);
        return List.of(first, second >= 0 ? second : first);
    }

    /** Settings for a small emulated controller with two queue pairs on two CPUs. */
    static NvmeqSettings settings(final String serial)
    {
        return NvmeqSettings.load()
            .withDevice("emu:memory?size=4m&bs=512&serial=" + serial)
            .withQueuePairs(2)
            .withQueueEntries(32)
            .withCpus(twoCpus());
    }

    /**
     * A test kit whose actor system {@code name} runs on the full configuration: the per-CPU dispatcher templates
     * live in reference.conf, and {@code ActorTestKit.create(name)} alone would load application-test.conf instead.
     */
    static ActorTestKit startTestKit(final String name)
    {
        return ActorTestKit.create(name, ConfigFactory.load());
    }

    /** Shuts the test kit's actor system {@code name} down and waits (bounded) until its busy-poll threads end. */
    static void stopTestKit(final ActorTestKit testKit, final String name) throws InterruptedException
    {
        testKit.shutdownTestKit();
        assertBusyPollThreadsEnd(name);
    }

    /** Shuts the controller of {@code supervisor} down and waits (bounded) until the supervisor has stopped. */
    static ControllerCommand.ShutdownComplete shutDown(final ActorTestKit testKit,
        final ActorRef<ControllerCommand> supervisor)
    {
        final TestProbe<ControllerCommand.ShutdownComplete> probe =
            testKit.createTestProbe(ControllerCommand.ShutdownComplete.class);
        supervisor.tell(new ControllerCommand.Shutdown(probe.ref()));
        final ControllerCommand.ShutdownComplete complete =
            probe.expectMessageClass(ControllerCommand.ShutdownComplete.class, TIMEOUT);
        probe.expectTerminated(supervisor, TIMEOUT);
        return complete;
    }

    /**
     * Closes {@code nvmeq} (null when the test opened none; closing twice is harmless) and waits (bounded) until
     * no busy-poll thread of its actor system is left.
     */
    static void close(final Nvmeq nvmeq) throws InterruptedException
    {
        if (nvmeq != null)
        {
            nvmeq.close();
        }
        assertBusyPollThreadsEnd("nvmeq");
    }

    /** Expects {@code count} replies, every one Done and each for a tag of its own. */
    static void assertAllDone(final TestProbe<IoReply> replies, final int count)
    {
        final Set<Long> tags = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final IoReply reply = replies.expectMessageClass(IoReply.class, TIMEOUT);
            assertInstanceOf(IoReply.Done.class, reply, () -> "request failed: " + reply);
            assertTrue(tags.add(reply.tag()), "second reply for " + reply.tag());
        }
    }

    /** {@link #assertAllDone}, and then no further reply comes: none of the requests was answered twice. */
    static void assertAllDoneOnce(final TestProbe<IoReply> replies, final int count)
    {
        assertAllDone(replies, count);
        replies.expectNoMessage(Duration.ofMillis(50));
    }

    /** A byte pattern that differs per seed and per position. */
    static byte[] pattern(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte)x;
        }
        return bytes;
    }

    static byte[] contents(final DmaBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.buffer().getBytes(offset, bytes);
        return bytes;
    }

    /** Busy-poll threads of actor system {@code systemName} that are still alive. */
    static List<Thread> busyPollThreadsOf(final String systemName)
    {
        final List<Thread> alive = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread instanceof BusyPollThread && thread.isAlive() && thread.getName().startsWith(systemName + "-"))
            {
                alive.add(thread);
            }
        }
        return alive;
    }

    /** Waits (bounded) until no busy-poll thread of {@code systemName} is left; fails naming the survivors. */
    static void assertBusyPollThreadsEnd(final String systemName) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<Thread> alive = busyPollThreadsOf(systemName);
        while (!alive.isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
            alive = busyPollThreadsOf(systemName);
        }
        if (!alive.isEmpty())
        {
            fail("busy-poll threads outlived actor system " + systemName + ": " + alive);
        }
    }
}
