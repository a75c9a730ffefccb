package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver against the emulated controller: bring-up, queue pairs, I/O through registers and DMA. */
class QueuePairTest
{
    private NvmeController controller;

    @BeforeEach
    void open()
    {
        controller = NvmeController.open(
            Devices.open("emu:memory?size=16m&bs=512&queues=4&serial=ENGINE-TEST"),
            ControllerOptions.defaults().withIoQueuePairs(2).withIoQueueEntries(64));
    }

    @AfterEach
    void close()
    {
        controller.close();
    }

    @Test
    void bringUpIdentifiesTheControllerAndItsNamespace()
    {
        final ControllerInfo info = controller.info();
        assertEquals("ENGINE-TEST", info.serial());
        assertEquals(2, info.grantedIoQueuePairs());
        assertEquals(1, controller.namespaces().size());
        final NamespaceInfo ns = controller.namespace(1);
        assertEquals(16L << 20, ns.bytes());
        assertEquals(512, ns.blockSize());
        assertThrows(InvalidRequestException.class, () -> controller.namespace(2));
    }

    @Test
    void writesAndReadsBackThroughPrp1Prp2AndPrpLists()
    {
        final QueuePair queue = controller.createQueuePair(1);
        // 1 block (PRP1), 16 blocks from an offset (PRP1 + PRP2), 128 blocks (a PRP list).
        final int[][] cases = {{0, 1, 0}, {100, 16, 2048}, {1000, 128, 512}, {5000, 255, 4}};
        for (final int[] c : cases)
        {
            final long lba = c[0];
            final int blocks = c[1];
            final int offset = c[2];
            final int length = blocks * 512;
            final byte[] data = new byte[length];
            ThreadLocalRandom.current().nextBytes(data);
            try (DmaBuffer out = controller.allocateBuffer(offset + length);
                 DmaBuffer in = controller.allocateBuffer(offset + length))
            {
                out.buffer().putBytes(offset, data);
                final Answers answers = new Answers();
                assertTrue(queue.submitWrite(1, lba, blocks, out, offset, false, answers, 1, null));
                assertEquals(1, drain(queue, answers, 1));
                assertTrue(queue.submitRead(1, lba, blocks, in, offset, answers, 2, null));
                assertEquals(1, drain(queue, answers, 1));
                assertEquals(0, answers.failures);
                final byte[] back = new byte[length];
                in.buffer().getBytes(offset, back);
                assertArrayEquals(data, back, "blocks " + lba + "+" + blocks);
            }
        }
    }

    @Test
    void badInputIsRefusedBeforeTheDevice()
    {
        final QueuePair queue = controller.createQueuePair(1);
        final long blocks = controller.namespace(1).blocks();
        try (DmaBuffer buffer = controller.allocateBuffer(4096))
        {
            final Answers answers = new Answers();
            final InvalidRequestException pastEnd = assertThrows(InvalidRequestException.class,
                () -> queue.submitRead(1, blocks - 1, 2, buffer, 0, answers, 0, null));
            assertTrue(pastEnd.getMessage().contains("LBA Out of Range"), pastEnd.getMessage());
            assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, 0, 9, buffer, 0, answers, 0, null),
                "4096 bytes cannot take 9 blocks");
            assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, 0, 1, buffer, 3800, answers, 0, null));
            assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, 0, 0, buffer, 0, answers, 0, null));
            assertThrows(InvalidRequestException.class, () -> queue.submitRead(1, -1, 1, buffer, 0, answers, 0, null));
            assertThrows(InvalidRequestException.class, () -> queue.submitRead(7, 0, 1, buffer, 0, answers, 0, null));
            assertThrows(InvalidRequestException.class, () -> queue.submitWrite(1, 0, 1, buffer, 2, false, answers, 0, null));
            assertThrows(InvalidRequestException.class, () -> queue.submitFlush(0, answers, 0, null));
            assertEquals(0, queue.inFlight());
            assertEquals(0, queue.submittedCount());
        }
    }

    @Test
    void aFullQueueRefusesAndEveryCommandIsAnsweredOnceOverManyPhaseLaps()
    {
        final QueuePair queue = controller.createQueuePair(1, 4);
        assertEquals(3, queue.capacity());
        try (DmaBuffer buffer = controller.allocateBuffer(512))
        {
            final Answers answers = new Answers();
            final int total = 1000;
            int submitted = 0;
            int answered = 0;
            while (answered < total)
            {
                while (submitted < total && queue.submitWrite(1, submitted % 64, 1, buffer, 0, submitted % 3 == 0, answers, submitted, null))
                {
                    submitted++;
                }
                assertTrue(queue.isFull() || submitted == total);
                if (queue.isFull())
                {
                    assertFalse(queue.submitFlush(1, answers, -1, null), "a full queue refuses");
                }
                answered += drain(queue, answers, 1);
            }
            assertEquals(total, answers.count);
            assertEquals(0, answers.failures);
            assertEquals((long)total * (total - 1) / 2, answers.tokenSum, "each token answered exactly once");
            assertEquals(0, queue.strayCompletionCount());
        }
    }

    @Test
    void flushCompletes()
    {
        final QueuePair queue = controller.createQueuePair(2);
        final Answers answers = new Answers();
        assertTrue(queue.submitFlush(1, answers, 5, null));
        assertEquals(1, drain(queue, answers, 1));
        assertEquals(5, answers.tokenSum);
        assertEquals(0, answers.failures);
    }

    @Test
    void queueCreationChecksItsArguments()
    {
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(0));
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(3));
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(1, 1));
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(1, 100_000));
        final QueuePair queue = controller.createQueuePair(1);
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(1));
        controller.deleteQueuePair(queue);
        controller.deleteQueuePair(controller.createQueuePair(1));
    }

    @Test
    void deletingAQueueAnswersWhatItHeld()
    {
        final QueuePair queue = controller.createQueuePair(1);
        final Answers answers = new Answers();
        try (DmaBuffer buffer = controller.allocateBuffer(512))
        {
            assertTrue(queue.submitRead(1, 0, 1, buffer, 0, answers, 1, null));
            assertTrue(queue.submitRead(1, 1, 1, buffer, 0, answers, 2, null));
            controller.deleteQueuePair(queue);
            assertEquals(2, answers.count, "each command answered once, by the device or as aborted");
            assertEquals(0, queue.inFlight());
        }
    }

    @Test
    void eachAnswerCarriesItsRequestsTokenAndAttachmentAndCountsIntoTheGivenSet()
    {
        final IoCounters counters = new IoCounters();
        final QueuePair queue = controller.createQueuePair(1, 64, counters);
        final List<Object> seen = new ArrayList<>();
        final List<Long> tokens = new ArrayList<>();
        final CompletionHandler<StringBuilder> handler = (token, attachment, status) ->
        {
            assertTrue(Status.isSuccess(status));
            attachment.append("answered");
            seen.add(attachment);
            tokens.add(token);
        };
        final StringBuilder first = new StringBuilder();
        final StringBuilder second = new StringBuilder();
        try (DmaBuffer buffer = controller.allocateBuffer(64 * 1024))
        {
            assertTrue(queue.submitRead(1, 0, 1, buffer, 0, handler, 7, first));
            // A second request in flight at the same time: each answer comes with its own attachment.
            assertTrue(queue.submitWrite(1, 0, 128, buffer, 0, false, handler, 8, second));
            for (int i = 0; i < 1_000_000 && seen.size() < 2; i++)
            {
                queue.poll(64);
            }
        }
        assertEquals(2, seen.size(), "one answer per request");
        assertSame(first, seen.get(tokens.indexOf(7L)), "the read's own attachment, with its token");
        assertSame(second, seen.get(tokens.indexOf(8L)), "the write's own attachment, with its token");
        assertEquals("answered", first.toString());
        assertEquals("answered", second.toString());
        assertEquals(2, counters.requests());
        assertEquals(2, counters.zeroCopy(), "the engine counts into the set it was given");
        assertSame(counters, queue.counters());
        controller.deleteQueuePair(queue);
    }

    @Test
    void closeIsIdempotentAndRefusesNewQueues()
    {
        controller.close();
        controller.close();
        assertThrows(InvalidRequestException.class, () -> controller.createQueuePair(1));
    }

    private static int drain(final QueuePair queue, final Answers answers, final int expected)
    {
        final int before = answers.count;
        for (int i = 0; i < 1_000_000 && answers.count - before < expected; i++)
        {
            queue.poll(64);
        }
        return answers.count - before;
    }

    private static final class Answers implements CompletionHandler<Object>
    {
        int count;
        int failures;
        long tokenSum;

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            count++;
            tokenSum += token;
            if (!Status.isSuccess(status))
            {
                failures++;
            }
        }
    }
}
