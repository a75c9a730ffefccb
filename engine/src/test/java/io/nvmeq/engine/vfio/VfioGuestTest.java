package io.nvmeq.engine.vfio;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.vfio.VfioDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine over the real VFIO path: QEMU's NVMe controller in the test VM, reached through vfio-pci and
 * an emulated Intel IOMMU (nvme-hw/vm/run-vm-tests.sh runs it there). Elsewhere every test is aborted
 * with the reason. The VM gives the controller max_ioqpairs=8.
 */
@Tag("vm")
class VfioGuestTest
{
    /** Where the host-visible marker goes: byte offset 1 MiB of the first controller's image. */
    static final long MARKER_LBA = 2048;
    private static final int REQUESTED_QUEUE_PAIRS = 8;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static String address;
    private NvmeController controller;

    @BeforeAll
    static void insideTheVm()
    {
        address = GuestVm.vfioNvmeAddress();
    }

    @BeforeEach
    void open()
    {
        controller = NvmeController.open(Devices.open("nvme://" + address + "/1"),
            ControllerOptions.defaults().withIoQueuePairs(REQUESTED_QUEUE_PAIRS).withIoQueueEntries(64));
    }

    @AfterEach
    void close()
    {
        controller.close();
    }

    @Test
    void identifiesQemusController()
    {
        assertInstanceOf(VfioDevice.class, controller.device());
        final ControllerInfo info = controller.info();
        System.out.println(address + ": " + info);
        System.out.println(address + ": " + controller.namespaces());
        assertEquals("QEMU NVMe Ctrl", info.model());
        assertTrue(info.serial().startsWith("nvmeq-vm-"), info.serial());
        assertEquals(REQUESTED_QUEUE_PAIRS, info.grantedIoQueuePairs(), "max_ioqpairs=8 in run-in-vm.sh");
        final NamespaceInfo ns = controller.namespace(1);
        assertTrue(ns.blocks() > MARKER_LBA, "namespace of " + ns.blocks() + " blocks");
        assertTrue(ns.blockSize() == 512 || ns.blockSize() == 4096, "block size " + ns.blockSize());
    }

    @Test
    void everyGrantedQueuePairWritesAndReadsBack()
    {
        final int blockSize = controller.namespace(1).blockSize();
        final Random random = new Random(42);
        for (int qid = 1; qid <= controller.grantedIoQueuePairs(); qid++)
        {
            final QueuePair queue = controller.createQueuePair(qid);
            // One block (PRP1), two pages (PRP2) and 32 KiB (a PRP list), at LBAs of this queue's own.
            for (final int bytes : new int[] {blockSize, 8192, 32768})
            {
                final int blocks = bytes / blockSize;
                final long lba = 10_000L * qid + bytes / 8;
                final byte[] data = new byte[bytes];
                random.nextBytes(data);
                try (DmaBuffer out = controller.allocateBuffer(bytes);
                     DmaBuffer in = controller.allocateBuffer(bytes))
                {
                    out.buffer().putBytes(0, data);
                    final Answers answers = new Answers();
                    assertTrue(queue.submitWrite(1, lba, blocks, out, 0, false, answers, qid, null));
                    await(queue, answers, 1);
                    assertTrue(queue.submitRead(1, lba, blocks, in, 0, answers, qid, null));
                    await(queue, answers, 2);
                    assertEquals(0, answers.failures, "queue " + qid + ": status 0x" + Integer.toHexString(answers.lastStatus));
                    final byte[] back = new byte[bytes];
                    in.buffer().getBytes(0, back);
                    assertArrayEquals(data, back, "queue " + qid + ", " + bytes + " bytes at LBA " + lba);
                }
            }
            controller.deleteQueuePair(queue);
        }
    }

    @Test
    void manyCommandsInFlightOnOneQueueAreEachAnsweredOnce()
    {
        final QueuePair queue = controller.createQueuePair(1, 16);
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            final Answers answers = new Answers();
            final int total = 200;
            int submitted = 0;
            final long deadline = System.nanoTime() + WAIT_NANOS;
            while (answers.count < total)
            {
                while (submitted < total && queue.submitRead(1, submitted, 1, buffer, 0, answers, submitted, null))
                {
                    submitted++;
                }
                queue.poll(16);
                if (System.nanoTime() > deadline)
                {
                    fail(answers.count + " of " + total + " answered in " + WAIT_NANOS / 1_000_000_000 + " s");
                }
            }
            assertEquals(0, answers.failures);
            assertEquals((long)total * (total - 1) / 2, answers.tokenSum);
            assertEquals(0, queue.strayCompletionCount());
        }
    }

    @Test
    void flushAndFuaWriteComplete()
    {
        final QueuePair queue = controller.createQueuePair(1);
        final int blockSize = controller.namespace(1).blockSize();
        try (DmaBuffer out = controller.allocateBuffer(4096); DmaBuffer in = controller.allocateBuffer(4096))
        {
            final byte[] data = new byte[4096];
            Arrays.fill(data, (byte)0xA5);
            out.buffer().putBytes(0, data);
            final Answers answers = new Answers();
            assertTrue(queue.submitWrite(1, 4096, 4096 / blockSize, out, 0, true, answers, 1, null));
            await(queue, answers, 1);
            assertTrue(queue.submitFlush(1, answers, 2, null));
            await(queue, answers, 2);
            assertTrue(queue.submitRead(1, 4096, 4096 / blockSize, in, 0, answers, 3, null));
            await(queue, answers, 3);
            assertEquals(0, answers.failures, "status 0x" + Integer.toHexString(answers.lastStatus));
            final byte[] back = new byte[4096];
            in.buffer().getBytes(0, back);
            assertArrayEquals(data, back);
        }
    }

    @Test
    void anLbaPastTheEndIsRefusedBeforeTheDevice()
    {
        final QueuePair queue = controller.createQueuePair(1);
        final long blocks = controller.namespace(1).blocks();
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            final Answers answers = new Answers();
            final InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                () -> queue.submitRead(1, blocks, 1, buffer, 0, answers, 0, null));
            assertTrue(ex.getMessage().contains("LBA Out of Range"), ex.getMessage());
            assertEquals(0, queue.submittedCount());
        }
    }

    /**
     * Writes a marker block with FUA and flushes it, then reads it back through a second controller
     * bring-up (the first close resets the device). The host finds the same bytes in the raw image
     * (run-vm-tests.sh), which proves they went through the device, not a cache in this process.
     */
    @Test
    void aMarkerBlockSurvivesCloseAndReachesTheHostsImage() throws IOException
    {
        final int blockSize = controller.namespace(1).blockSize();
        final String token = "nvmeq-vm-marker " + address + " " + System.nanoTime();
        final byte[] block = new byte[blockSize];
        final byte[] text = token.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, block, 0, text.length);
        final QueuePair queue = controller.createQueuePair(1);
        try (DmaBuffer out = controller.allocateBuffer(blockSize))
        {
            out.buffer().putBytes(0, block);
            final Answers answers = new Answers();
            assertTrue(queue.submitWrite(1, MARKER_LBA, 1, out, 0, true, answers, 1, null));
            await(queue, answers, 1);
            assertTrue(queue.submitFlush(1, answers, 2, null));
            await(queue, answers, 2);
            assertEquals(0, answers.failures);
        }
        controller.close();

        controller = NvmeController.open(Devices.open("nvme://" + address + "/1"),
            ControllerOptions.defaults().withIoQueuePairs(1));
        final QueuePair reopened = controller.createQueuePair(1);
        try (DmaBuffer in = controller.allocateBuffer(blockSize))
        {
            final Answers answers = new Answers();
            assertTrue(reopened.submitRead(1, MARKER_LBA, 1, in, 0, answers, 1, null));
            await(reopened, answers, 1);
            final byte[] back = new byte[blockSize];
            in.buffer().getBytes(0, back);
            assertArrayEquals(block, back);
        }
        final String results = System.getenv("NVMEQ_VM_RESULTS");
        if (results != null)
        {
            Files.writeString(Path.of(results, "marker"), (MARKER_LBA * blockSize) + "\n" + token + "\n");
        }
    }

    /** Polls until {@code answers} holds {@code count} answers in all, failing after a bounded wait. */
    private static void await(final QueuePair queue, final Answers answers, final int count)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (answers.count < count)
        {
            queue.poll(16);
            if (System.nanoTime() > deadline)
            {
                fail("no completion within " + WAIT_NANOS / 1_000_000_000 + " s (" + answers.count + " of " + count + ")");
            }
        }
    }

    private static final class Answers implements CompletionHandler<Object>
    {
        int count;
        int failures;
        int lastStatus;
        long tokenSum;

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            count++;
            tokenSum += token;
            if (status != 0)
            {
                failures++;
                lastStatus = status;
            }
        }
    }
}
