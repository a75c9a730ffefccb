package io.nvmeq.engine;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue pairs created and deleted one after another, with data buffers allocated and freed around them:
 * the fixed IOVA region gives freed space back, and nothing still in use may be unmapped by it (the
 * emulated IOMMU faults on any access to an unmapped IOVA, so a wrong trim fails the I/O).
 */
class QueueRecreationTest
{
    @Test
    void everyQueuePairInTurnWritesAndReadsBackWhileFreedIovaIsReused()
    {
        try (NvmeController controller = NvmeController.open(
            Devices.open("emu:memory?size=64m&queues=8"),
            ControllerOptions.defaults().withIoQueuePairs(8).withIoQueueEntries(64)))
        {
            final Random random = new Random(42);
            for (int round = 0; round < 3; round++)
            {
                for (int qid = 1; qid <= controller.grantedIoQueuePairs(); qid++)
                {
                    final QueuePair queue = controller.createQueuePair(qid);
                    for (final int bytes : new int[] {512, 8192, 32768})
                    {
                        final long lba = 10_000L * qid + bytes / 8;
                        final byte[] data = new byte[bytes];
                        random.nextBytes(data);
                        try (DmaBuffer out = controller.allocateBuffer(bytes);
                             DmaBuffer in = controller.allocateBuffer(bytes))
                        {
                            out.buffer().putBytes(0, data);
                            final int[] status = {-1, -1};
                            assertTrue(queue.submitWrite(1, lba, bytes / 512, out, 0, false, (t, a, s) -> status[0] = s, 0, null));
                            drain(queue);
                            assertTrue(queue.submitRead(1, lba, bytes / 512, in, 0, (t, a, s) -> status[1] = s, 0, null));
                            drain(queue);
                            assertEquals(0, status[0], "write on queue " + qid + ": " + Status.describe(status[0]));
                            assertEquals(0, status[1], "read on queue " + qid + ": " + Status.describe(status[1]));
                            final byte[] back = new byte[bytes];
                            in.buffer().getBytes(0, back);
                            assertArrayEquals(data, back, "queue " + qid + ", " + bytes + " bytes");
                        }
                    }
                    controller.deleteQueuePair(queue);
                }
            }
            assertEquals(0, ((EmulatedController)controller.device()).iommu().faultCount(), "IOMMU faults");
        }
    }

    private static void drain(final QueuePair queue)
    {
        for (int i = 0; i < 1_000_000 && queue.inFlight() > 0; i++)
        {
            queue.poll(16);
        }
        assertEquals(0, queue.inFlight());
    }
}
