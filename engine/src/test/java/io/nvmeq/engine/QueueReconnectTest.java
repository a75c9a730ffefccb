package io.nvmeq.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.engine.ControllerResetTest.Tally;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One queue's reconnection in place (its owner's restart), the same recovery as after a controller
 * reset: its queues deleted and re-created on the same rings, what the device never got resubmitted or
 * answered "did nothing", what it held answered by its own completion, resubmitted or "outcome unknown";
 * and the interleavings with a reset that begins meanwhile or that a refused or lost deletion starts.
 */
class QueueReconnectTest
{
    private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(20);

    private NvmeController controller;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    private EmulatedController open(final String params, final ControllerOptions options)
    {
        final EmulatedController device = (EmulatedController)Devices.open("emu:memory?size=8m&bs=512" + params);
        controller = NvmeController.open(device, options);
        return device;
    }

    /** Polls {@code queue} as its owner would until {@code tally} has {@code answers} answers and the future is done. */
    private static void pollUntil(final QueuePair queue, final Tally tally, final int answers,
        final CompletableFuture<Void> reconnected)
    {
        final long guard = System.nanoTime() + GUARD_NANOS;
        while ((tally.answered() < answers || !reconnected.isDone()) && System.nanoTime() < guard)
        {
            queue.poll(64);
            Thread.onSpinWait();
        }
        assertTrue(reconnected.isDone(), "reconnected");
        assertEquals(answers, tally.answered(), "answers");
    }

    private static void readBack(final QueuePair queue, final DmaBuffer buffer, final int blocks)
    {
        final Tally read = new Tally(1);
        assertTrue(queue.submitRead(1, 0, blocks, buffer, 0, read, 0, null));
        final long guard = System.nanoTime() + GUARD_NANOS;
        while (read.answered() < 1 && System.nanoTime() < guard)
        {
            queue.poll(64);
        }
        read.assertEachAnsweredOnce();
        assertEquals(0, read.failures, HostStatus.describe(read.lastStatus));
    }

    @Test
    void aReconnectedQueueResubmitsWhatItHeldOnTheSameRingsAndServesOn()
    {
        open("&latency=all:2ms", BufferPathsTest.options().withMaxRetries(3));
        final QueuePair queue = controller.createQueuePair(1, 64);
        final long sqIova = queue.sqIova();
        final Tally tally = new Tally(16);
        try (DmaBuffer buffer = controller.allocateBuffer(16 * 512))
        {
            for (int i = 0; i < 16; i++)
            {
                buffer.buffer().setMemory(i * 512, 512, (byte)(i + 1));
                assertTrue(queue.submitWrite(1, i, 1, buffer, i * 512, false, tally, i, null));
                if (i == 7)
                {
                    queue.ringDoorbell(); // eight in the device, eight never rung
                }
            }
            final CompletableFuture<Void> reconnected = controller.reconnectQueuePairAsync(queue);
            pollUntil(queue, tally, 16, reconnected);
            tally.assertEachAnsweredOnce();
            assertEquals(0, tally.failures, HostStatus.describe(tally.lastFailure));
            assertEquals(1, queue.counters().recoveries());
            assertTrue(queue.counters().retries() >= 8, "the eight never rung were resubmitted: " + queue.counters().retries());
            assertEquals(sqIova, queue.sqIova());
            assertEquals(0, controller.resetCount(), "no controller reset");
            final DmaBuffer back = controller.allocateBuffer(16 * 512);
            readBack(queue, back, 16);
            final byte[] expected = new byte[16 * 512];
            final byte[] actual = new byte[16 * 512];
            buffer.buffer().getBytes(0, expected);
            back.buffer().getBytes(0, actual);
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void withoutRetriesWhatTheDeviceNeverGotIsAnsweredDidNothingAndWhatItHeldOutcomeUnknown()
    {
        final EmulatedController device = open("", BufferPathsTest.options().withMaxRetries(0));
        final QueuePair queue = controller.createQueuePair(1, 64);
        final Tally held = new Tally(1);
        final Tally unrung = new Tally(4);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            device.faults().dropNextCompletions(1);
            assertTrue(queue.submitWrite(1, 0, 1, buffer, 0, false, held, 0, null));
            queue.ringDoorbell();
            for (int i = 0; i < 4; i++)
            {
                assertTrue(queue.submitRead(1, i, 1, buffer, 0, unrung, i, null));
            }
            final CompletableFuture<Void> reconnected = controller.reconnectQueuePairAsync(queue);
            pollUntil(queue, unrung, 4, reconnected);
            unrung.assertEachAnsweredOnce();
            assertEquals(HostStatus.NOT_SUBMITTED_BEFORE_RESET, unrung.lastFailure);
            held.assertEachAnsweredOnce();
            // Its completion was lost, so the deletion aborted it (or the device had it): not "did nothing".
            assertTrue(held.lastStatus == HostStatus.ABORTED_BY_RESET, HostStatus.describe(held.lastStatus));
            readBack(queue, buffer, 1);
        }
    }

    @Test
    void aControllerResetArrivingMidReconnectTakesItOver() throws Exception
    {
        final EmulatedController device = open("", BufferPathsTest.options().withMaxRetries(3));
        final QueuePair queue = controller.createQueuePair(1, 64);
        final Tally tally = new Tally(8);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            for (int i = 0; i < 8; i++)
            {
                assertTrue(queue.submitRead(1, i, 1, buffer, 0, tally, i, null));
            }
            // The Delete I/O SQ's answer is lost, and a reset comes before its deadline.
            device.faults().dropNextAdminCompletions(1);
            final CompletableFuture<Void> reconnected = controller.reconnectQueuePairAsync(queue);
            controller.resetAsync("test: mid-reconnect");
            pollUntil(queue, tally, 8, reconnected);
            tally.assertEachAnsweredOnce();
            assertEquals(0, tally.failures, HostStatus.describe(tally.lastFailure));
            assertTrue(controller.resetCount() >= 1);
            assertFalse(controller.isFailed());
            readBack(queue, buffer, 1);
        }
    }

    @Test
    void aRefusedOrUnansweredDeletionWhileReconnectingResetsTheControllerWhichReconnectsTheQueue()
    {
        final EmulatedController device = open("", BufferPathsTest.options().withMaxRetries(3)
            .withAdminTimeout(Duration.ofMillis(300)));
        final QueuePair queue = controller.createQueuePair(1, 64);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            for (int round = 0; round < 2; round++)
            {
                final Tally tally = new Tally(4);
                for (int i = 0; i < 4; i++)
                {
                    assertTrue(queue.submitRead(1, i, 1, buffer, 0, tally, i, null));
                }
                if (round == 0)
                {
                    device.faults().failAdmin(Opcodes.ADMIN_DELETE_IO_SQ, Status.INTERNAL_ERROR);
                }
                else
                {
                    device.faults().dropNextAdminCompletions(1); // answered TIMED_OUT by the admin deadline
                }
                final long resets = controller.resetCount();
                final CompletableFuture<Void> reconnected = controller.reconnectQueuePairAsync(queue);
                pollUntil(queue, tally, 4, reconnected);
                tally.assertEachAnsweredOnce();
                assertEquals(0, tally.failures, HostStatus.describe(tally.lastFailure));
                assertEquals(resets + 1, controller.resetCount(), "round " + round + ": the controller was reset");
                readBack(queue, buffer, 1);
            }
            assertFalse(controller.isFailed());
        }
    }
}
