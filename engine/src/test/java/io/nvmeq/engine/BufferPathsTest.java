package io.nvmeq.engine;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every buffer path (zero-copy, temporary mapping, bounce), requests split at MDTS, chained PRP lists,
 * the data-less commands and the admin helpers, against the emulated controller; data is always read
 * back through a different path than it was written.
 */
class BufferPathsTest
{
    private NvmeController controller;

    private QueuePair open(final String uri, final ControllerOptions options)
    {
        controller = NvmeController.open(Devices.open(uri), options);
        return controller.createQueuePair(1);
    }

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    @Test
    void eachByteBufferTakesItsPathAndTheDataRoundTrips()
    {
        final QueuePair queue = open("emu:memory?size=8m&bs=512", options());
        final Answers answers = new Answers();
        final byte[] data = random(8192);

        // Heap memory: bounced on the way out.
        assertTrue(queue.submitWrite(1, 0, 16, ByteBuffer.wrap(data), false, answers, 1, null));
        drain(queue, answers, 1);
        assertEquals(1, queue.counters().bounced());

        // Direct memory never registered: a temporary mapping for the read.
        final ByteBuffer direct = ByteBuffer.allocateDirect(8192 + 64);
        assertTrue(queue.submitRead(1, 0, 16, direct, answers, 2, null));
        drain(queue, answers, 1);
        assertEquals(1, queue.counters().temporaryMapped());
        assertArrayEquals(data, bytes(direct, 0, 8192));

        // The same memory registered: zero-copy.
        try (RegisteredBuffer registration = controller.registerBuffer(direct))
        {
            direct.put(0, (byte)0x5A);
            assertTrue(queue.submitWrite(1, 100, 16, direct, true, answers, 3, null));
            drain(queue, answers, 1);
            assertEquals(1, queue.counters().zeroCopy());
            assertTrue(registration.iova() > 0);
        }

        // A start that is not dword-aligned breaks the PRP rules: bounced, copied back on completion.
        final ByteBuffer odd = direct.duplicate().position(1);
        assertTrue(queue.submitRead(1, 100, 16, odd, answers, 4, null));
        drain(queue, answers, 1);
        assertEquals(1, queue.counters().unaligned());
        assertEquals(2, queue.counters().bounced());
        final byte[] expected = data.clone();
        expected[0] = 0x5A;
        assertArrayEquals(expected, bytes(direct, 1, 8192));
        assertEquals(0, answers.failures);
        assertEquals(0, odd.position() - 1, "the buffer's position is left alone");

        // Heap read, bounced and copied back.
        final ByteBuffer heap = ByteBuffer.allocate(8192);
        assertTrue(queue.submitRead(1, 100, 16, heap, answers, 5, null));
        drain(queue, answers, 1);
        assertArrayEquals(expected, heap.array());
        assertEquals(0, answers.failures);
        assertEquals(5, answers.count);
    }

    @Test
    void aLargeRequestIsSplitAtMdtsAndAnsweredOnce()
    {
        // MDTS 2: 16 KiB per command.
        final QueuePair queue = open("emu:memory?size=8m&bs=512&mdts=2", options());
        assertEquals(16384, queue.maxTransferBytes());
        final Answers answers = new Answers();
        final int blocks = 200; // 100 KiB: 7 commands
        final byte[] data = random(blocks * 512);
        try (DmaBuffer out = controller.allocateBuffer(data.length))
        {
            out.buffer().putBytes(0, data);
            assertTrue(queue.submitWrite(1, 1000, blocks, out, 0, false, answers, 7, null));
            assertEquals(7, queue.inFlight(), "seven commands for one request");
            drain(queue, answers, 1);
            assertEquals(1, answers.count);
            assertEquals(7, answers.tokenSum);
        }
        final ByteBuffer heap = ByteBuffer.allocate(blocks * 512);
        assertTrue(queue.submitRead(1, 1000, blocks, heap, answers, 8, null));
        drain(queue, answers, 1);
        assertArrayEquals(data, heap.array());
        assertEquals(2, queue.counters().split());
        assertEquals(0, answers.failures);
    }

    @Test
    void aRequestNeedingMoreCommandsThanTheQueueHoldsIsRefused()
    {
        final QueuePair queue = open("emu:memory?size=8m&bs=512&mdts=2", options());
        final Answers answers = new Answers();
        try (DmaBuffer out = controller.allocateBuffer(200 * 512))
        {
            final QueuePair small = controller.createQueuePair(2, 4);
            assertThrows(InvalidRequestException.class,
                () -> small.submitWrite(1, 0, 200, out, 0, false, answers, 1, null), "7 commands cannot fit 3 slots");
            assertEquals(0, small.inFlight());
            controller.deleteQueuePair(small);
            assertTrue(queue.submitRead(1, 0, 200, out, 0, answers, 2, null));
            drain(queue, answers, 1);
            assertEquals(0, answers.failures);
        }
    }

    @Test
    void transfersPastOneListPageChainTheirPrpLists()
    {
        // No MDTS: the driver's 4 MiB cap; 4 MiB from a page offset touches 1025 pages, 3 list pages.
        final QueuePair queue = open("emu:memory?size=16m&bs=512&mdts=0", options());
        assertEquals(4 << 20, queue.maxTransferBytes());
        final int blocks = 8192;
        final byte[] data = random(blocks * 512);
        final Answers answers = new Answers();
        try (DmaBuffer out = controller.allocateBuffer(data.length + 4096);
             DmaBuffer in = controller.allocateBuffer(data.length + 4096))
        {
            out.buffer().putBytes(512, data);
            assertTrue(queue.submitWrite(1, 4096, blocks, out, 512, false, answers, 1, null));
            assertEquals(1, queue.inFlight(), "one command");
            drain(queue, answers, 1);
            assertTrue(queue.submitRead(1, 4096, blocks, in, 2048, answers, 2, null));
            drain(queue, answers, 1);
            assertEquals(0, answers.failures);
            final byte[] back = new byte[data.length];
            in.buffer().getBytes(2048, back);
            assertArrayEquals(data, back);
        }
    }

    @Test
    void writeZeroesAndDeallocateReadBackAsZeroes()
    {
        final QueuePair queue = open("emu:memory?size=8m&bs=512", options());
        final Answers answers = new Answers();
        final ByteBuffer ones = ByteBuffer.allocate(64 * 512);
        while (ones.hasRemaining())
        {
            ones.put((byte)1);
        }
        ones.flip();
        assertTrue(queue.submitWrite(1, 0, 64, ones, false, answers, 1, null));
        drain(queue, answers, 1);

        assertTrue(queue.submitWriteZeroes(1, 8, 8, false, false, answers, 2, null));
        assertTrue(queue.submitDeallocate(1, 24, 8, answers, 3, null));
        assertTrue(queue.submitDeallocate(1, new long[] {40, 50}, new long[] {2, 3}, 2, answers, 4, null));
        drain(queue, answers, 3);
        assertEquals(0, answers.failures);

        final ByteBuffer back = ByteBuffer.allocate(64 * 512);
        assertTrue(queue.submitRead(1, 0, 64, back, answers, 5, null));
        drain(queue, answers, 1);
        for (int block = 0; block < 64; block++)
        {
            final boolean zeroed = (block >= 8 && block < 16) || (block >= 24 && block < 32)
                || (block >= 40 && block < 42) || (block >= 50 && block < 53);
            assertEquals(zeroed ? 0 : 1, back.get(block * 512 + 511), "block " + block);
        }
        final long blocks = controller.namespace(1).blocks();
        assertThrows(InvalidRequestException.class, () -> queue.submitWriteZeroes(1, blocks - 1, 2, false, false, answers, 0, null));
        assertThrows(InvalidRequestException.class, () -> queue.submitWriteZeroes(1, 0, 65537, false, false, answers, 0, null));
        assertThrows(InvalidRequestException.class,
            () -> queue.submitDeallocate(1, new long[] {0, blocks}, new long[] {1, 1}, 2, answers, 0, null));
        assertThrows(InvalidRequestException.class, () -> queue.submitDeallocate(1, new long[0], new long[0], 0, answers, 0, null));
        assertEquals(0, queue.inFlight());
    }

    @Test
    void badByteBuffersAreRefusedBeforeTheDevice()
    {
        final QueuePair queue = open("emu:memory?size=8m&bs=512", options().withBounceBuffers(0, 4096));
        final Answers answers = new Answers();
        assertThrows(InvalidRequestException.class,
            () -> queue.submitRead(1, 0, 2, ByteBuffer.allocateDirect(1000), answers, 0, null), "too small");
        assertThrows(InvalidRequestException.class,
            () -> queue.submitRead(1, 0, 1, ByteBuffer.allocateDirect(512).asReadOnlyBuffer(), answers, 0, null));
        assertThrows(InvalidRequestException.class,
            () -> queue.submitWrite(1, 0, 1, ByteBuffer.allocate(512), false, answers, 0, null), "no bounce buffers");
        assertThrows(InvalidRequestException.class, () -> controller.registerBuffer(ByteBuffer.allocate(512)));
        final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        try (RegisteredBuffer ignored = controller.registerBuffer(direct))
        {
            assertThrows(InvalidRequestException.class, () -> controller.registerBuffer(direct.duplicate().position(100)),
                "overlaps");
        }
        assertEquals(0, queue.submittedCount());
    }

    @Test
    void bounceBuffersRunningOutMeansTryLaterNotLost()
    {
        final QueuePair queue = open("emu:memory?size=8m&bs=512", options().withBounceBuffers(2, 4096));
        final Answers answers = new Answers();
        assertTrue(queue.submitWrite(1, 0, 8, ByteBuffer.allocate(4096), false, answers, 1, null));
        assertTrue(queue.submitWrite(1, 8, 8, ByteBuffer.allocate(4096), false, answers, 2, null));
        assertFalse(queue.submitWrite(1, 16, 8, ByteBuffer.allocate(4096), false, answers, 3, null), "both in use");
        drain(queue, answers, 2);
        assertTrue(queue.submitWrite(1, 16, 8, ByteBuffer.allocate(4096), false, answers, 3, null));
        drain(queue, answers, 1);
        assertEquals(6, answers.tokenSum);
    }

    @Test
    void featuresAndIdentifyThroughTheAdminHelpers()
    {
        open("emu:memory?size=8m&bs=512", options());
        final int volatileWriteCache = 0x06;
        assertEquals(1, controller.getFeature(volatileWriteCache, 0) & 1);
        controller.setFeature(volatileWriteCache, 0);
        assertEquals(0, controller.getFeature(volatileWriteCache, 0) & 1);
        assertEquals(controller.namespace(1), controller.identifyNamespace(1));
        assertThrows(InvalidRequestException.class, () -> controller.setFeature(0x07, 0));
        assertThrows(InvalidRequestException.class, () -> controller.getLogPage(2, -1, 3));
        final byte[] smart = controller.getLogPage(0x02, -1, 512);
        assertEquals(512, smart.length);
        assertEquals(0, smart[0], "no critical warning");
        final CommandFailedException unknown = assertThrows(CommandFailedException.class,
            () -> controller.getLogPage(0x7F, -1, 512));
        assertEquals(Status.INVALID_LOG_PAGE, Status.codeOf(unknown.status()));
        assertFalse(controller.abort(1, 5), "nothing outstanding to abort");
    }

    /**
     * Steady-state submit + poll allocates nothing (measured with the thread's allocation counter), on the
     * DmaBuffer, registered-memory and bounce paths.
     */
    @Test
    void submitAndPollAllocateNothingInSteadyState()
    {
        final QueuePair queue = open("emu:null?size=64m&bs=512", options());
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final ByteBuffer registered = ByteBuffer.allocateDirect(4096);
        try (DmaBuffer buffer = controller.allocateBuffer(32 * 4096);
            RegisteredBuffer registration = controller.registerBuffer(registered))
        {
            final ByteBuffer heap = ByteBuffer.allocate(4096);
            final Answers answers = new Answers();
            runCycles(queue, buffer, heap, registered, answers, 20_000);
            final long before = threads.getThreadAllocatedBytes(thread);
            runCycles(queue, buffer, heap, registered, answers, 20_000);
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(allocated < 20_000, allocated + " bytes allocated by 20000 I/Os (the counter call allocates a little)");
            assertEquals(0, answers.failures);
            assertEquals(0, registration.users(), "every request let go of the registration");
            assertEquals(0, queue.counters().temporaryMapped(), "registered memory went zero-copy");
        }
    }

    private static void runCycles(final QueuePair queue, final DmaBuffer buffer, final ByteBuffer heap,
        final ByteBuffer registered, final Answers answers, final int ios)
    {
        int submitted = 0;
        final int target = answers.count + ios;
        while (answers.count < target)
        {
            while (submitted < ios && !queue.isFull())
            {
                final int slot = submitted & 31;
                final int kind = submitted & 7;
                final boolean ok = kind == 0 ? queue.submitRead(1, slot * 8, 8, heap, answers, submitted, null)
                    : kind == 1 ? queue.submitRead(1, slot * 8, 8, registered, answers, submitted, null)
                    : queue.submitRead(1, slot * 8, 8, buffer, slot * 4096, answers, submitted, null);
                if (!ok)
                {
                    break;
                }
                submitted++;
            }
            queue.poll(32);
        }
    }

    static ControllerOptions options()
    {
        return ControllerOptions.defaults().withIoQueuePairs(2).withIoQueueEntries(64);
    }

    static void drain(final QueuePair queue, final Answers answers, final int expected)
    {
        final int before = answers.count;
        for (int i = 0; i < 1_000_000 && answers.count - before < expected; i++)
        {
            queue.poll(64);
        }
        assertEquals(expected, answers.count - before, "answers");
    }

    private static byte[] random(final int length)
    {
        final byte[] data = new byte[length];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }

    private static byte[] bytes(final ByteBuffer buffer, final int from, final int length)
    {
        final byte[] out = new byte[length];
        buffer.duplicate().position(from).get(out);
        return out;
    }

    static final class Answers implements CompletionHandler<Object>
    {
        int count;
        int failures;
        long tokenSum;
        int lastStatus;

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            count++;
            tokenSum += token;
            lastStatus = status;
            if (!Status.isSuccess(status))
            {
                failures++;
            }
        }
    }
}
