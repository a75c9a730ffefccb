package io.nvmeq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.engine.ControllerResetTest.Tally;
import io.nvmeq.hw.device.DetachingDevice;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.InterruptVectorException;

/**
 * A completion queue's interrupt where the host may not write the MSI-X table but may detach and attach
 * a vector (vfio-pci): {@link CompletionInterrupt#disarm()} detaches, {@link CompletionInterrupt#arm()}
 * attaches before it drains, a completion posted while detached is delivered by the attach (no wake-up
 * is lost), and a refused attach is typed. The device is the emulated controller behind
 * {@link DetachingDevice}, whose detach and attach mask and unmask the table entry as the kernel does.
 */
class CompletionInterruptDetachTest
{
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private NvmeController controller;
    private DetachingDevice device;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    private QueuePair open()
    {
        final CompletionVectors vectors = new CompletionVectors();
        vectors.assign(1, "thread");
        device = new DetachingDevice(Devices.open("emu:memory?size=1m&queues=1"));
        controller = NvmeController.open(device,
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(64).withCompletionVectors(vectors));
        return controller.createQueuePair(1);
    }

    @Test
    void disarmDetachesArmAttachesAndACompletionWhileDetachedIsDeliveredByTheAttach()
    {
        final QueuePair queue = open();
        final CompletionInterrupt interrupt = queue.interrupt();
        assertFalse(interrupt.maskable(), "no MSI-X table for the host");
        assertTrue(interrupt.detachable());
        interrupt.arm();
        assertEquals(List.of(), device.calls(), "routed vectors are attached: arming issues nothing");

        interrupt.disarm();
        assertEquals(List.of("detach 1"), device.calls());
        final Tally tally = new Tally(1);
        assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null));
        queue.ringDoorbell();
        assertFalse(interrupt.eventFd().isSignalled(), "detached while its owner polls: nothing raised");

        assertTrue(interrupt.arm() >= 1, "the attach delivers the pending message, and arming consumes it");
        assertEquals(List.of("detach 1", "attach 1"), device.calls());
        assertTrue(queue.completionWaiting(), "the look after arming sees it: the owner does not sleep");
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
    }

    @Test
    void aCompletionAfterTheLastLookSignalsTheAttachedVector()
    {
        final QueuePair queue = open();
        final CompletionInterrupt interrupt = queue.interrupt();
        interrupt.disarm();
        interrupt.arm();
        assertFalse(queue.completionWaiting(), "the last look: nothing yet");
        final Tally tally = new Tally(1);
        assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null));
        queue.ringDoorbell();
        assertTrue(interrupt.eventFd().await(WAIT_NANOS), "the wait returns at once: the attached vector was raised");
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
    }

    @Test
    void aRefusedAttachIsTypedAndTheNextArmAttaches()
    {
        final QueuePair queue = open();
        final CompletionInterrupt interrupt = queue.interrupt();
        interrupt.disarm();
        device.refuseAttaches(1);
        final InterruptVectorException refused = assertThrows(InterruptVectorException.class, interrupt::arm);
        assertEquals(1, refused.vector());
        assertTrue(device.detached(1), "still detached: its owner must not wait for it");
        interrupt.arm();
        assertFalse(device.detached(1));
        assertEquals(List.of("detach 1", "attach 1", "attach 1"), device.calls());
    }
}
