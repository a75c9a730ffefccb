package io.nvmeq.actors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.DmaBuffer;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nvmeq.close() with thread queues in use: every answer true, none missing, nothing left behind. */
class ThreadQueueCloseTest
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;

    @Test
    void aReadTheDeviceNeverAnswersEndsAsOutcomeUnknownWithinTheShutdownTimeout() throws Exception
    {
        // The completion is dropped and the command deadline is far away: only the close can end the wait.
        final NvmeqSettings base = TestSupport.settings("TQ-UNKNOWN");
        final Nvmeq nvmeq = Nvmeq.open(base
            .withDevice("emu:memory?size=4m&bs=512&serial=TQ-UNKNOWN&faults=drop:1")
            .withShutdownTimeout(Duration.ofSeconds(1))
            .withRecovery(base.recovery().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60))));
        final DmaBuffer buffer = nvmeq.allocate(BLOCK);
        final CompletableFuture<Void> inCall = new CompletableFuture<>();
        final CompletableFuture<Throwable> answer = new CompletableFuture<>();
        final Thread owner = new Thread(() ->
        {
            try (NvmeqThreadQueue queue = nvmeq.threadQueue())
            {
                inCall.complete(null);
                queue.read(NSID, 0, 1, buffer, 0);
                answer.complete(null);
            }
            catch (final Throwable ex)
            {
                answer.complete(ex);
            }
        }, "never-answered");
        owner.start();
        inCall.get(10, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertTrue(owner.isAlive(), "the read was answered although its completion was dropped");
        nvmeq.close();
        final Throwable error = answer.get(10, TimeUnit.SECONDS);
        assertInstanceOf(ControllerUnavailableException.class, error);
        assertTrue(error.getMessage().contains("outcome is unknown"), error.getMessage());
        owner.join(10_000);
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }

    @Test
    void facadeCloseAnswersBlockingCallsAndStagesInFlightAndRefusesLaterOnes() throws Exception
    {
        final Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("TQ-DRAIN")
            .withDevice("emu:memory?size=4m&bs=512&serial=TQ-DRAIN&latency=write:200ms"));
        final DmaBuffer data = nvmeq.allocate(4 * BLOCK);
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final CompletableFuture<Throwable> stage = new CompletableFuture<>();
        final CompletableFuture<Throwable> blocking = new CompletableFuture<>();
        final CompletableFuture<Throwable> later = new CompletableFuture<>();
        final Thread owner = new Thread(() ->
        {
            final NvmeqThreadQueue queue = nvmeq.threadQueue();
            data.buffer().putBytes(0, pattern(8, 4 * BLOCK));
            final CompletionStage<Void> write = queue.writeAsync(NSID, 0, 2, data, 0, false);
            write.whenComplete((ok, error) -> stage.complete(error));
            started.complete(null);
            try
            {
                queue.write(NSID, 2, 2, data, 2 * BLOCK, false);
                blocking.complete(null);
            }
            catch (final Throwable ex)
            {
                blocking.complete(ex);
            }
            try
            {
                queue.flush(NSID);
                later.complete(null);
            }
            catch (final Throwable ex)
            {
                later.complete(ex);
            }
        }, "drained-owner");
        owner.start();
        started.get(10, TimeUnit.SECONDS);
        Thread.sleep(50); // the owner is (most likely) in its blocking write now; either way the answers must be true
        nvmeq.close();
        // The stage was answered by its completion; the blocking write too, or it came after the close
        // began and was refused, nothing sent.
        final Throwable blockingAnswer = blocking.get(10, TimeUnit.SECONDS);
        if (blockingAnswer != null)
        {
            assertInstanceOf(ControllerUnavailableException.class, blockingAnswer);
            assertTrue(blockingAnswer.getMessage().contains("nothing was sent"), blockingAnswer.getMessage());
        }
        assertNull(stage.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ControllerUnavailableException.class, later.get(10, TimeUnit.SECONDS));
        assertThrows(ControllerUnavailableException.class, nvmeq::threadQueue);
        owner.join(10_000);
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
        assertEquals(0, nvmeq.pendingCount());
    }

    @Test
    void aThreadThatEndedWithoutClosingHasItsQueueClosedByTheNextOpen() throws Exception
    {
        try (Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("TQ-ORPHAN")))
        {
            final DmaBuffer buffer = nvmeq.allocate(BLOCK);
            for (int i = 0; i < nvmeq.threadQueueCapacity() + 2; i++)
            {
                final int round = i;
                final Thread thread = new Thread(() ->
                {
                    final NvmeqThreadQueue queue = nvmeq.threadQueue();
                    buffer.buffer().putBytes(0, pattern(round, BLOCK));
                    queue.write(NSID, round, 1, buffer, 0, false); // and never closed
                }, "orphan-" + i);
                thread.start();
                thread.join(10_000);
            }
            try (NvmeqThreadQueue queue = nvmeq.threadQueue())
            {
                queue.read(NSID, 1, 1, buffer, 0);
                assertArrayEquals(pattern(1, BLOCK), contents(buffer, 0, BLOCK));
            }
        }
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }
}
