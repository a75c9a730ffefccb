package io.nvmeq.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Controller resets and the hand-off to queue owners: each owner re-creates its queues on its next poll
 * and resubmits or fails what it held; every command is answered exactly once.
 */
class ControllerResetTest
{
    private NvmeController controller;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    @Test
    void outstandingCommandsAreResubmittedAfterAReset()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512"), BufferPathsTest.options());
        final QueuePair queue = controller.createQueuePair(1);
        final Tally tally = new Tally(16);
        try (DmaBuffer buffer = controller.allocateBuffer(16 * 512))
        {
            for (int i = 0; i < 16; i++)
            {
                buffer.buffer().setMemory(i * 512, 512, (byte)(i + 1));
                // Submitted, not rung: the device has not seen them when the reset comes.
                assertTrue(queue.submitWrite(1, i, 1, buffer, i * 512, false, tally, i, null));
            }
            controller.reset("test");
            assertEquals(1, controller.resetCount());
            while (tally.answered() < 16)
            {
                queue.poll(64);
            }
            tally.assertEachAnsweredOnce();
            assertEquals(0, tally.failures);
            assertEquals(1, queue.counters().recoveries());
            assertEquals(16, queue.counters().retries());
            final ByteBuffer back = ByteBuffer.allocate(16 * 512);
            final Tally read = new Tally(1);
            assertTrue(queue.submitRead(1, 0, 16, back, read, 0, null));
            while (read.answered() < 1)
            {
                queue.poll(64);
            }
            final byte[] expected = new byte[16 * 512];
            buffer.buffer().getBytes(0, expected);
            assertArrayEquals(expected, back.array());
        }
    }

    @Test
    void withoutRetriesLeftCommandsFailWithARetryableResetError()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512"),
            BufferPathsTest.options().withMaxRetries(0));
        final QueuePair queue = controller.createQueuePair(1);
        final Tally tally = new Tally(4);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            for (int i = 0; i < 4; i++)
            {
                assertTrue(queue.submitRead(1, i, 1, buffer, 0, tally, i, null));
            }
            controller.reset("test");
            queue.poll(64);
            tally.assertEachAnsweredOnce();
            assertEquals(4, tally.failures);
            // Submitted, never rung: the answer says they did nothing.
            assertEquals(HostStatus.NOT_SUBMITTED_BEFORE_RESET, tally.lastStatus);
            final NvmeException error = HostStatus.exceptionFor(Opcodes.NVM_READ, false, tally.lastStatus);
            assertTrue(assertInstanceOf(ControllerResetException.class, error).retryable());
            assertTrue(error.getMessage().contains("it did nothing"), error.getMessage());
            // The queue works again.
            final Tally after = new Tally(1);
            assertTrue(queue.submitRead(1, 0, 1, buffer, 0, after, 0, null));
            while (after.answered() < 1)
            {
                queue.poll(64);
            }
            assertEquals(0, after.failures);
        }
    }

    /** A command the controller held when it was reset (rung, its answer lost) is answered "outcome unknown". */
    @Test
    void aCommandTheControllerHeldIsAnsweredOutcomeUnknown()
    {
        final EmulatedController device = (EmulatedController)Devices.open("emu:memory?size=8m&bs=512");
        controller = NvmeController.open(device, BufferPathsTest.options().withMaxRetries(0));
        final QueuePair queue = controller.createQueuePair(1);
        final Tally tally = new Tally(1);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            device.faults().dropNextCompletions(1);
            assertTrue(queue.submitWrite(1, 0, 1, buffer, 0, false, tally, 0, null));
            queue.poll(64);
            controller.reset("test");
            queue.poll(64);
            tally.assertEachAnsweredOnce();
            assertEquals(HostStatus.ABORTED_BY_RESET, tally.lastStatus);
            assertTrue(HostStatus.describe(tally.lastStatus).contains("outcome unknown"));
        }
    }

    /** Two owners run I/O on their own threads while a third thread resets the controller again and again. */
    @Test
    void resetsUnderConcurrentIoAnswerEveryCommandExactlyOnce() throws Exception
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512&queues=2"),
            BufferPathsTest.options().withMaxRetries(100));
        final QueuePair[] queues = {controller.createQueuePair(1), controller.createQueuePair(2)};
        final int perQueue = 20_000;
        final CountDownLatch started = new CountDownLatch(2);
        // Owners keep polling until the resets are over, so that each sees every reset (one that finished its
        // I/O first would otherwise never reconnect, and the check below would depend on the machine's load).
        final AtomicBoolean resetsDone = new AtomicBoolean();
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        final List<Future<Tally>> results = new ArrayList<>();
        try
        {
            for (final QueuePair queue : queues)
            {
                results.add(pool.submit(() ->
                {
                    final Tally tally = new Tally(perQueue);
                    try (DmaBuffer buffer = controller.allocateBuffer(4096))
                    {
                        started.countDown();
                        int next = 0;
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while ((tally.answered() < perQueue || !resetsDone.get()) && System.nanoTime() < deadline)
                        {
                            while (next < perQueue && !queue.isFull()
                                && queue.submitWrite(1, next % 4096, 1, buffer, 0, false, tally, next, null))
                            {
                                next++;
                            }
                            queue.poll(64);
                        }
                    }
                    return tally;
                }));
            }
            started.await(10, TimeUnit.SECONDS);
            int resets = 0;
            while (resets < 20)
            {
                controller.reset("test " + resets++);
                Thread.sleep(2);
            }
            resetsDone.set(true);
            for (final Future<Tally> result : results)
            {
                final Tally tally = result.get(90, TimeUnit.SECONDS);
                tally.assertEachAnsweredOnce();
                assertEquals(0, tally.failures, "retried, not failed");
            }
            assertTrue(controller.resetCount() > 0);
            assertTrue(queues[0].counters().recoveries() > 0 && queues[1].counters().recoveries() > 0,
                "each owner re-created its own queues");
            assertFalse(controller.isFailed());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /** Counts answers per token: each must be answered exactly once. */
    static final class Tally implements CompletionHandler<Object>
    {
        private final int[] answers;
        private int answered;
        int failures;
        int lastStatus;
        int lastFailure;

        Tally(final int tokens)
        {
            this.answers = new int[tokens];
        }

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            answers[(int)token]++;
            answered++;
            lastStatus = status;
            if (!Status.isSuccess(status) || HostStatus.isHostStatus(status))
            {
                failures++;
                lastFailure = status;
            }
        }

        int answered()
        {
            return answered;
        }

        void assertEachAnsweredOnce()
        {
            for (int token = 0; token < answers.length; token++)
            {
                assertEquals(1, answers[token], "answers to token " + token);
            }
        }
    }
}
