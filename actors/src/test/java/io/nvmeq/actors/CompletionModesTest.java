package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.List;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.CompletionMode;
import io.nvmeq.engine.DmaBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.nvmeq.actors.TestSupport.TIMEOUT;
import static io.nvmeq.actors.TestSupport.assertAllDoneOnce;
import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each completion mode answers every request exactly once with the right data, on queue pairs whose
 * completions come at once and on ones whose completions the emulator models later; in the modes that
 * sleep, an idle queue-pair thread sleeps and a request sent to it then is served. One actor system per
 * mode: a mode belongs to the per-CPU dispatchers, which a system registers once.
 */
class CompletionModesTest
{
    private static final int NSID = 1;

    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void everyRequestIsAnsweredOnceAndASleepingQueuePairServesTheNext(final CompletionMode mode) throws Exception
    {
        final String system = "completion-modes-" + mode.configName();
        final ActorTestKit testKit = ActorTestKit.create(system, ConfigFactory.load());
        try
        {
            final NvmeqSettings settings = TestSupport.settings("MODES-" + mode.ordinal())
                .withDevice("emu:memory?size=4m&bs=512&latency=write:100us-300us")
                .withCompletionMode(mode);
            final TestProbe<BringUp> listener = testKit.createTestProbe(BringUp.class);
            final ActorRef<ControllerCommand> supervisor = testKit.spawn(ControllerSupervisor.create(settings, listener.ref()));
            final BringUp.Ready ready = listener.expectMessageClass(BringUp.Ready.class, TIMEOUT);
            final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
            final int blocks = 2;
            final int length = blocks * 512;
            final int perQueue = 40;
            final List<DmaBuffer> written = new ArrayList<>();
            for (int i = 0; i < 2 * perQueue; i++)
            {
                final DmaBuffer buffer = ready.allocator().allocate(length);
                buffer.buffer().putBytes(0, pattern(i, length));
                written.add(buffer);
                // Writes complete later (modelled), reads at once: both kinds of wake-up.
                ready.queuePairs().get(i % 2).tell(
                    new IoRequest.Write(NSID, (long)i * blocks, blocks, buffer, 0, false, i, replies.ref()));
            }
            assertAllDoneOnce(replies, 2 * perQueue);
            for (int round = 0; round < 5; round++)
            {
                if (mode != CompletionMode.BUSY_POLL)
                {
                    // A request to a queue pair whose thread sleeps is served (the wake-up eventfd).
                    for (int q = 0; q < 2; q++)
                    {
                        final BusyPollExecutor executor = ready.counters().get(q).executor();
                        assertNotNull(executor, "queue pair " + q + " runs on a busy-poll thread");
                        assertEquals(mode, executor.completionMode());
                        // Akka's retrying assertion bounds the wait, so a thread that never sleeps fails the test.
                        replies.awaitAssert(TIMEOUT, () ->
                        {
                            assertTrue(executor.isSleeping(), executor.thread().getName() + " sleeps");
                            return null;
                        });
                    }
                }
                final List<DmaBuffer> back = new ArrayList<>();
                for (int i = 0; i < 2 * perQueue; i++)
                {
                    final DmaBuffer buffer = ready.allocator().allocate(length);
                    back.add(buffer);
                    ready.queuePairs().get((i + round) % 2).tell(
                        new IoRequest.Read(NSID, (long)i * blocks, blocks, buffer, 0, 1000L * round + i, replies.ref()));
                }
                assertAllDoneOnce(replies, 2 * perQueue);
                for (int i = 0; i < 2 * perQueue; i++)
                {
                    assertArrayEquals(pattern(i, length), contents(back.get(i), 0, length), "block pair " + i);
                    back.get(i).close();
                }
            }
            if (mode != CompletionMode.BUSY_POLL)
            {
                assertTrue(ready.counters().get(0).executor().sleepCounters().sleeps() >= 5, "the thread slept between rounds");
            }
            final TestProbe<ControllerCommand.ShutdownComplete> done = testKit.createTestProbe(ControllerCommand.ShutdownComplete.class);
            supervisor.tell(new ControllerCommand.Shutdown(done.ref()));
            assertTrue(done.expectMessageClass(ControllerCommand.ShutdownComplete.class, TIMEOUT).clean());
        }
        finally
        {
            testKit.shutdownTestKit();
        }
        TestSupport.assertBusyPollThreadsEnd(system);
    }
}
