package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * Commands whose completions the controller still holds (a slow medium, a dropped completion) can be
 * aborted (§5.1), are aborted by SQ deletion (§5.7) and vanish in a controller reset (§3.7.2).
 */
class AbortTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    /** Ten seconds: far beyond any test, so the read's completion is held until something ends it. */
    private static final long SLOW = 10_000_000_000L;

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaceBytes(1L << 20).maxIoQueuePairs(2).maxQueueEntries(64)
        .readLatency(ServiceTime.fixed(SLOW)).deviceThreads(deviceThreads()).build());

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion abort(final int sqId, final int cid)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_ABORT).cdw(10, (cid << 16) | sqId));
    }

    @Test
    void abortCompletesAHeldCommandWithAbortRequested_5_1()
    {
        host.enable(8);
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        final RawHost.Dma data = host.allocate(4096);
        final int cid = host.submit(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 1, data.iova, 0));
        assertNull(host.tryReap(queue), "held by the latency model");
        final RawHost.Completion abort = abort(1, cid);
        assertEquals(Status.SUCCESS, abort.status());
        assertEquals(0, abort.dw0() & 1, "DW0 bit 0 clear: aborted");
        final RawHost.Completion aborted = host.reap(queue);
        assertEquals(cid, aborted.cid());
        assertEquals(Status.ABORT_REQUESTED, aborted.status());
        assertEquals(1, abort(1, cid).dw0() & 1, "a second abort finds nothing");
    }

    @Test
    void abortFindsADroppedCompletion_5_1()
    {
        host.enable(8);
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        host.controller.faults().dropNextCompletions(1);
        final int cid = host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertNull(host.tryReap(queue), "dropped");
        assertEquals(0, abort(1, cid).dw0() & 1);
        assertEquals(Status.ABORT_REQUESTED, host.reap(queue).status());
    }

    @Test
    void abortOfAnUnknownCommandOrQueueSaysNotAborted_5_1()
    {
        host.enable(8);
        host.createQueuePair(1, 8);
        assertEquals(1, abort(1, 1234).dw0() & 1);
        assertEquals(1, abort(2, 0).dw0() & 1, "SQ 2 does not exist");
    }

    @Test
    void deletingTheSubmissionQueueAbortsHeldCommands_5_7()
    {
        host.enable(8);
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        final RawHost.Dma data = host.allocate(4096);
        final int first = host.submit(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 1, data.iova, 0));
        final int second = host.submit(queue, RawHost.io(Opcodes.NVM_READ, 1, 1, 1, data.iova, 0));
        assertEquals(Status.SUCCESS, host.admin(e -> e.opcode(Opcodes.ADMIN_DELETE_IO_SQ).cdw(10, 1)).status());
        final RawHost.Completion a = host.reap(queue);
        final RawHost.Completion b = host.reap(queue);
        assertEquals(Status.ABORTED_SQ_DELETED, a.status());
        assertEquals(Status.ABORTED_SQ_DELETED, b.status());
        assertEquals(first + second, a.cid() + b.cid());
        assertEquals(Status.SUCCESS, host.admin(e -> e.opcode(Opcodes.ADMIN_DELETE_IO_CQ).cdw(10, 1)).status());
    }

    @Test
    void disableAbortsHeldCommandsWithoutCompletions_3_7_2()
    {
        host.enable(8);
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        final RawHost.Dma data = host.allocate(4096);
        host.submit(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 1, data.iova, 0));
        host.controller.faults().dropNextCompletions(1);
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertEquals(0, host.disable() & Registers.CSTS_RDY);
        host.controller.poll(1);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0, new CompletionEntry().wrap(queue.cq.buffer, i * CompletionEntry.SIZE).statusPhaseVolatile(),
                "CQ entry " + i + " was never written");
        }
        assertTrue((host.enable(8) & Registers.CSTS_RDY) != 0);
        final RawHost.HostQueue again = host.createQueuePair(1, 8);
        host.controller.faults().clear();
        assertEquals(Status.SUCCESS, host.execute(again, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
    }
}
