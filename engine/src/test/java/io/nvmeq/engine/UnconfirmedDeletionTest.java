package io.nvmeq.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue whose deletion the controller refuses may still be used by it: its rings, PRP pages and the
 * buffers of its commands must stay mapped, and the commands unanswered, until the controller has been
 * disabled. Here the device holds a read's completion back (a late completion) when Delete I/O SQ is
 * refused, and posts it into the queue's CQ ring later: had the ring been unmapped, the emulated IOMMU
 * would count a fault; had its IOVA gone to a new buffer, the device would write into that buffer.
 */
class UnconfirmedDeletionTest
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
    void aRefusedDeletionKeepsTheQueuesMemoryAndAnswersItsCommandsOnlyOnceTheControllerWasDisabled() throws Exception
    {
        final EmulatedController device = (EmulatedController)Devices.open(
            "emu:memory?size=8m&bs=512&queues=2&faults=delay:1:300ms");
        controller = NvmeController.open(device, BufferPathsTest.options());
        final QueuePair queue = controller.createQueuePair(1, 16);
        final DmaBuffer data = controller.allocateBuffer(4096);
        final AtomicInteger status = new AtomicInteger(-1);
        final AtomicInteger answers = new AtomicInteger();
        final AtomicLong resetsWhenAnswered = new AtomicLong(-1);
        final CountDownLatch answered = new CountDownLatch(1);
        assertTrue(queue.submitRead(1, 0, 8, data, 0, (token, attachment, result) ->
        {
            resetsWhenAnswered.set(controller.resetCount());
            status.set(result);
            answers.incrementAndGet();
            answered.countDown();
        }, 0, null));
        queue.ringDoorbell(); // executed now; its completion comes 300 ms late

        device.faults().failAdmin(Opcodes.ADMIN_DELETE_IO_SQ, Status.INTERNAL_ERROR);
        assertThrows(NvmeException.class, () -> controller.deleteQueuePair(queue));
        // Not answered while the controller may still hold it: only after the reset the refusal starts.
        assertTrue(answers.get() == 0 || resetsWhenAnswered.get() >= 1, "answered before any reset");

        // New memory where the ring's IOVA would be reused, had it been freed; then the late completion is due.
        final DmaBuffer bystander = controller.allocateBuffer(16 * 16);
        bystander.buffer().setMemory(0, 16 * 16, (byte)0x5A);
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < until)
        {
            device.poll(1);
            Thread.sleep(1);
        }

        assertTrue(answered.await(10, TimeUnit.SECONDS), "answered once the controller was reset");
        assertEquals(HostStatus.ABORTED_BY_RESET, status.get(), HostStatus.describe(status.get()));
        assertTrue(resetsWhenAnswered.get() >= 1, "answered only after a reset disabled the controller");
        assertEquals(0, device.iommu().faultCount(), "the device reached unmapped memory");
        for (int i = 0; i < 16 * 16; i++)
        {
            assertEquals((byte)0x5A, bystander.buffer().getByte(i), "the device wrote into new memory at " + i);
        }
        Thread.sleep(50);
        assertEquals(1, answers.get(), "answered once");
        assertFalse(controller.isFailed());

        // The controller serves on, and the queue id is free again.
        final QueuePair again = controller.createQueuePair(1, 16);
        final AtomicInteger second = new AtomicInteger(-1);
        assertTrue(again.submitRead(1, 0, 8, data, 0, (token, attachment, result) -> second.set(result), 0, null));
        for (int i = 0; i < 1_000_000 && second.get() < 0; i++)
        {
            again.poll(4);
        }
        assertEquals(Status.SUCCESS, second.get());
    }
}
