package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * The latency model's mechanics (no timing assertions; LatencyModelCheck measures throughput): the
 * channel scheduler, completions held until due and posted by the host's poll, immediate completions
 * without a model, and the ordering of held completions.
 */
class LatencyModelTest
{
    private static final long SLOW = 10_000_000_000L;

    @Test
    void commandsTakeTheEarliestFreeChannel()
    {
        final ServiceChannels channels = new ServiceChannels(
            LatencyModel.NONE.withRead(ServiceTime.fixed(100)).withChannels(2));
        assertEquals(1_100, channels.schedule(1_000, 100), "first channel");
        assertEquals(1_100, channels.schedule(1_000, 100), "second channel, in parallel");
        assertEquals(1_200, channels.schedule(1_000, 100), "both busy: queued behind the first");
        assertEquals(5_100, channels.schedule(5_000, 100), "idle channels start at submission");
        assertEquals(400, channels.busyNanos());
    }

    @Test
    void serviceTimeDistributionsStayInBounds()
    {
        final ServiceTime uniform = ServiceTime.uniform(50, 150);
        long sum = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final long sample = uniform.sample();
            assertTrue(sample >= 50 && sample <= 150, "uniform sample " + sample);
            sum += ServiceTime.exponential(100).sample();
        }
        assertTrue(sum > 0, "exponential samples are positive");
        assertEquals(100, uniform.meanNanos());
        assertThrows(IllegalArgumentException.class, () -> ServiceTime.uniform(10, 5));
        assertThrows(IllegalArgumentException.class, () -> LatencyModel.NONE.withChannels(0));
    }

    @Test
    void withoutAModelCompletionsArePostedBeforeTheDoorbellReturns_DESIGN_2()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).build()))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 8);
            host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
            assertTrue(host.completionVisible(queue), "visible without any poll");
        }
    }

    @Test
    void heldCompletionIsPostedByAPollAfterItsTime_DESIGN_2()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20)
            .flushLatency(ServiceTime.fixed(2_000_000)).build()))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 8);
            final int cid = host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
            assertTrue(!host.completionVisible(queue), "2 ms have not passed when the doorbell write returns");
            assertEquals(1, host.controller.counters().flushes(), "executed at submission");
            final RawHost.Completion completion = host.reap(queue);
            assertNotNull(completion, "posted by a poll within the bounded wait");
            assertEquals(cid, completion.cid());
        }
    }

    @Test
    void errorsDoNotWaitForTheMedium_DESIGN_2()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20)
            .readLatency(ServiceTime.fixed(SLOW)).build()))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 8);
            host.submit(queue, RawHost.io(Opcodes.NVM_READ, 1, 1L << 30, 1, 0x10000, 0));
            final RawHost.Completion completion = host.tryReap(queue);
            assertNotNull(completion);
            assertEquals(Status.withDnr(Status.LBA_OUT_OF_RANGE), completion.status());
        }
    }

    @Test
    void heldCompletionsArePostedInDueOrder()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).build()))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 16);
            final CompletionQueue cq = host.controller.completionQueue(1);
            // An hour ahead, so that the polls inside tryReap post nothing on their own.
            final long base = System.nanoTime() + 3_600_000_000_000L;
            final long[] due = {50, 10, 40, 20, 30, -1, 5};
            assertEquals(due.length, cq.reserve(due.length));
            for (int i = 0; i < due.length; i++)
            {
                assertTrue(cq.complete(0, 0, 1, 100 + i, 0, due[i] < 0 ? CompletionQueue.NEVER : base + due[i]));
            }
            cq.postDue(base + 35);
            assertEquals(106, host.tryReap(queue).cid());
            assertEquals(101, host.tryReap(queue).cid());
            assertEquals(103, host.tryReap(queue).cid());
            assertEquals(104, host.tryReap(queue).cid());
            assertNull(host.tryReap(queue), "40 and 50 are not due at 35");
            cq.postDue(Long.MAX_VALUE - 1);
            assertEquals(102, host.tryReap(queue).cid());
            assertEquals(100, host.tryReap(queue).cid());
            assertNull(host.tryReap(queue), "a dropped completion is never due");
            assertEquals(1, cq.pendingCount());
            assertTrue(cq.abort(1, 105, Status.ABORT_REQUESTED));
            assertEquals(Status.ABORT_REQUESTED, host.tryReap(queue).status());
        }
    }
}
