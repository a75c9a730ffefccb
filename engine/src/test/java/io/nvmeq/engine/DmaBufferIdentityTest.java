package io.nvmeq.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.spec.Status;

import static io.nvmeq.engine.BufferPathsTest.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request names its DmaBuffer by the buffer, never by its IOVA: a closed buffer (whose IOVA the next
 * allocation gets) and another controller's buffer (same IOVAs, other memory) are refused before
 * anything reaches the device, and a buffer closed while a request uses it stays mapped until that
 * request completes.
 */
class DmaBufferIdentityTest
{
    private static final int BLOCK = 512;

    private NvmeController controller;
    private NvmeController other;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
        if (other != null)
        {
            other.close();
        }
    }

    @Test
    void aClosedBufferIsRefusedAndItsSuccessorKeepsItsBytes()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512"), BufferPathsTest.options());
        final QueuePair queue = controller.createQueuePair(1);
        final BufferPathsTest.Answers answers = new BufferPathsTest.Answers();

        final DmaBuffer closed = controller.allocateBuffer(BLOCK);
        closed.close();
        final DmaBuffer successor = controller.allocateBuffer(BLOCK);
        // The very reason an IOVA is no identity: the new owner got the old address.
        assertEquals(closed.iova(), successor.iova());
        assertNotEquals(closed.id(), successor.id());
        successor.buffer().setMemory(0, BLOCK, (byte)0x77);

        final InvalidRequestException write = assertThrows(InvalidRequestException.class,
            () -> queue.submitWrite(1, 0, 1, closed, 0, false, answers, 1));
        assertTrue(write.getMessage().contains("closed"), write.getMessage());
        assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, 0, 1, closed, 0, answers, 2));
        queue.poll(64);
        assertEquals(0, answers.count, "nothing was submitted");
        assertEquals(0, queue.inFlight());

        // Block 0 is still all zeroes (the refused write did not store the successor's bytes), and the
        // successor's memory is untouched (the refused read did not land in it).
        for (int i = 0; i < BLOCK; i++)
        {
            assertEquals((byte)0x77, successor.buffer().getByte(i), "successor byte " + i);
        }
        try (DmaBuffer check = controller.allocateBuffer(BLOCK))
        {
            check.buffer().setMemory(0, BLOCK, (byte)0x11);
            assertTrue(queue.submitRead(1, 0, 1, check, 0, answers, 3));
            drain(queue, answers, 1);
            assertEquals(Status.SUCCESS, answers.lastStatus);
            for (int i = 0; i < BLOCK; i++)
            {
                assertEquals(0, check.buffer().getByte(i), "block 0 byte " + i);
            }
        }
        successor.close();
    }

    @Test
    void aBufferClosedWhileInFlightStaysMappedUntilItsRequestCompletes()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512&latency=all:200ms"),
            BufferPathsTest.options());
        final EmulatedController device = (EmulatedController)controller.device();
        final QueuePair queue = controller.createQueuePair(1);
        final BufferPathsTest.Answers answers = new BufferPathsTest.Answers();

        final DmaBuffer buffer = controller.allocateBuffer(BLOCK);
        final int mappings = device.iommu().mappingCount();
        assertTrue(queue.submitRead(1, 0, 1, buffer, 0, answers, 1));
        queue.ringDoorbell();
        assertEquals(1, buffer.users());

        buffer.close();
        assertTrue(buffer.isClosed());
        // Closing: refused for new requests at once ...
        assertThrows(InvalidRequestException.class, () -> queue.submitWrite(1, 0, 1, buffer, 0, false, answers, 2));
        // ... but still mapped (its IOVA not handed on) while the device may write into it.
        assertEquals(mappings, device.iommu().mappingCount(), "mapping kept while in flight");
        try (DmaBuffer next = controller.allocateBuffer(BLOCK))
        {
            assertNotEquals(buffer.iova(), next.iova(), "the IOVA of a buffer in use is not reused");
        }

        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (answers.count == 0 && System.nanoTime() < deadline)
        {
            queue.poll(64);
            Thread.onSpinWait();
        }
        assertEquals(1, answers.count, "answers");
        assertEquals(Status.SUCCESS, answers.lastStatus);
        assertEquals(0, buffer.users());
        assertEquals(mappings - 1, device.iommu().mappingCount(), "unmapped by the last completion");
        assertEquals(0, device.iommu().faultCount(), "IOMMU faults");
    }

    @Test
    void aBufferOfAnotherControllerIsRefused()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512"), BufferPathsTest.options());
        other = NvmeController.open(Devices.open("emu:memory?size=8m&bs=512"), BufferPathsTest.options());
        final QueuePair queue = controller.createQueuePair(1);
        other.createQueuePair(1);
        final BufferPathsTest.Answers answers = new BufferPathsTest.Answers();

        final DmaBuffer foreign = other.allocateBuffer(BLOCK);
        final DmaBuffer own = controller.allocateBuffer(BLOCK);
        // Both controllers hand out the same IOVAs: the foreign IOVA means our own buffer here.
        assertEquals(foreign.iova(), own.iova());
        own.buffer().setMemory(0, BLOCK, (byte)0x42);
        foreign.buffer().setMemory(0, BLOCK, (byte)0x24);

        final InvalidRequestException refused = assertThrows(InvalidRequestException.class,
            () -> queue.submitWrite(1, 0, 1, foreign, 0, false, answers, 1));
        assertTrue(refused.getMessage().contains("another controller"), refused.getMessage());
        assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, 0, 1, foreign, 0, answers, 2));
        queue.poll(64);
        assertEquals(0, answers.count);
        assertEquals(0, foreign.users());
        for (int i = 0; i < BLOCK; i++)
        {
            assertEquals((byte)0x42, own.buffer().getByte(i), "own byte " + i);
        }
        foreign.close();
        own.close();
    }
}
