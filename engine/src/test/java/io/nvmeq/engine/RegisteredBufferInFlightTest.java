package io.nvmeq.engine;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registration counts the requests in flight on its memory, as a DmaBuffer does: closing it while
 * the device may still use the memory only marks it closing (new requests naming the memory are refused
 * typed), and the completion of the last request unmaps it, so its IOVA cannot be handed on early.
 */
class RegisteredBufferInFlightTest
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
    void closingARegistrationWithARequestInFlightUnmapsItAfterTheLastAnswer()
    {
        // Device latency keeps the read in flight until the queue is polled past its deadline.
        controller = NvmeController.open(Devices.open("emu:memory?size=1m&bs=512&latency=all:100ms"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(16));
        final QueuePair queue = controller.createQueuePair(1);
        final BufferPathsTest.Answers answers = new BufferPathsTest.Answers();
        final ByteBuffer memory = ByteBuffer.allocateDirect(4096);
        final RegisteredBuffer registration = controller.registerBuffer(memory);
        final long address = registration.address();

        assertTrue(queue.submitRead(1, 0, 8, memory, answers, 1, null));
        assertEquals(1, queue.counters().zeroCopy());
        assertEquals(1, registration.users(), "the read holds the registration");

        registration.close();
        assertTrue(registration.isClosed());
        assertEquals(registration.iova(), controller.registeredIova(address, 4096),
            "still mapped while the device may write into it");
        final ByteBuffer other = ByteBuffer.allocateDirect(4096);
        try (RegisteredBuffer next = controller.registerBuffer(other))
        {
            assertNotEquals(registration.iova(), next.iova(), "its IOVA is not handed on while in use");
        }
        final InvalidRequestException refused =
            assertThrows(InvalidRequestException.class, () -> queue.submitWrite(1, 8, 8, memory, false, answers, 2, null));
        assertTrue(refused.getMessage().contains("closed or being closed"), refused.getMessage());

        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (answers.count == 0 && System.nanoTime() < deadline)
        {
            queue.poll(16);
        }
        assertEquals(1, answers.count);
        assertEquals(0, answers.failures);
        assertEquals(0, registration.users());
        assertEquals(IovaSpace.NO_IOVA, controller.registeredIova(address, 4096), "unmapped after the last answer");

        // Gone: I/O on the memory now takes the temporary-mapping path like any other direct memory.
        assertTrue(queue.submitRead(1, 0, 8, memory, answers, 3, null));
        assertEquals(1, queue.counters().temporaryMapped());
        while (answers.count == 1 && System.nanoTime() < deadline)
        {
            queue.poll(16);
        }
        assertEquals(2, answers.count);
    }
}
