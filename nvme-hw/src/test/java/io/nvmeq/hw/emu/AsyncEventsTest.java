package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * Asynchronous events (NVMe base spec 2.0 §5.2) raised by invalid doorbell writes (§3.1.3.x: the write
 * is ignored, queue state is not corrupted, and an error event reports it).
 */
class AsyncEventsTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private static final int INVALID_REGISTER = AsyncEvents.eventDw0(0, 0x00, Opcodes.LOG_ERROR_INFORMATION);
    private static final int INVALID_VALUE = AsyncEvents.eventDw0(0, 0x01, Opcodes.LOG_ERROR_INFORMATION);

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaceBytes(1L << 20).maxIoQueuePairs(4).maxQueueEntries(64).deviceThreads(deviceThreads()).build());

    @BeforeEach
    void enable()
    {
        host.enable(16);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private int submitAsyncEventRequest()
    {
        return host.submit(host.admin, e -> e.opcode(Opcodes.ADMIN_ASYNC_EVENT_REQUEST));
    }

    private RawHost.Completion readErrorLog(final boolean retainEvent)
    {
        final RawHost.Dma log = host.allocate(4096);
        return host.admin(e -> e.opcode(Opcodes.ADMIN_GET_LOG_PAGE).prp1(log.iova)
            .cdw(10, ((ErrorLog.SIZE / 4 - 1) << 16) | (retainEvent ? 1 << 15 : 0) | Opcodes.LOG_ERROR_INFORMATION));
    }

    @Test
    void invalidSqTailValueCompletesAnOutstandingRequest_5_2_and_3_1_3()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 4);
        final int aer = submitAsyncEventRequest();
        assertNull(host.tryReap(host.admin), "no event yet");
        host.registers.write32(Registers.sqTailDoorbell(1, 0), 4);
        final RawHost.Completion event = host.reap(host.admin);
        assertNotNull(event);
        assertEquals(aer, event.cid());
        assertEquals(Status.SUCCESS, event.status());
        assertEquals(INVALID_VALUE, event.dw0(), "type error (0), Invalid Doorbell Write Value (01h), log page 01h");
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status(),
            "the queue is intact after the ignored write");
    }

    @Test
    void doorbellOfMissingQueueIsInvalidRegisterEvent_5_2()
    {
        submitAsyncEventRequest();
        host.registers.write32(Registers.sqTailDoorbell(3, 0), 1);
        assertEquals(INVALID_REGISTER, host.reap(host.admin).dw0());
    }

    @Test
    void cqHeadPastPostedEntriesIsInvalidValueEvent_5_2()
    {
        host.createQueuePair(1, 4);
        submitAsyncEventRequest();
        host.registers.write32(Registers.cqHeadDoorbell(1, 0), 2);
        assertEquals(INVALID_VALUE, host.reap(host.admin).dw0());
    }

    @Test
    void eventWithoutRequestWaitsForTheNextRequest_5_2()
    {
        host.registers.write32(Registers.sqTailDoorbell(7, 0), 1);
        final int aer = submitAsyncEventRequest();
        final RawHost.Completion event = host.reap(host.admin);
        assertEquals(aer, event.cid());
        assertEquals(INVALID_REGISTER, event.dw0());
    }

    @Test
    void errorEventsAreMaskedUntilTheErrorLogIsReadWithRaeClear_5_2_1()
    {
        submitAsyncEventRequest();
        host.registers.write32(Registers.sqTailDoorbell(7, 0), 1);
        assertEquals(INVALID_REGISTER, host.reap(host.admin).dw0());
        final int second = submitAsyncEventRequest();
        host.registers.write32(Registers.sqTailDoorbell(7, 0), 1);
        assertNull(host.tryReap(host.admin), "masked: the host has not read the log yet");
        assertEquals(Status.SUCCESS, readErrorLog(true).status());
        host.registers.write32(Registers.sqTailDoorbell(7, 0), 1);
        assertNull(host.tryReap(host.admin), "RAE set retains the mask");
        assertEquals(Status.SUCCESS, readErrorLog(false).status());
        host.registers.write32(Registers.sqTailDoorbell(7, 0), 1);
        final RawHost.Completion event = host.reap(host.admin);
        assertEquals(second, event.cid());
        assertEquals(INVALID_REGISTER, event.dw0());
    }

    @Test
    void sqTailThatWouldOverrunTheHeadIsIgnored_3_1_3_x()
    {
        // CQ of 2 entries holds one completion: of 3 commands one runs, 2 wait in the SQ (head 1, tail 3).
        final RawHost.Dma sqRing = host.allocate(4096);
        final RawHost.Dma cqRing = host.allocate(4096);
        RawHost.requireSuccess(host.createCompletionQueue(1, cqRing, 2), "CQ");
        RawHost.requireSuccess(host.createSubmissionQueue(1, sqRing, 4, 1), "SQ");
        final RawHost.HostQueue sq = new RawHost.HostQueue(1, 4, sqRing, cqRing);
        for (int i = 0; i < 3; i++)
        {
            host.push(sq, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        }
        host.ringSq(sq);
        assertEquals(1, host.controller.counters().flushes());
        submitAsyncEventRequest();
        host.registers.write32(Registers.sqTailDoorbell(1, 0), 1);
        assertEquals(INVALID_VALUE, host.reap(host.admin).dw0(), "tail 1 would overwrite the two waiting entries");
        final RawHost.HostQueue cq = new RawHost.HostQueue(1, 2, sqRing, cqRing);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(Status.SUCCESS, host.reap(cq).status());
        }
        assertEquals(3, host.controller.counters().flushes(), "the waiting commands ran, none twice");
        assertFalse(host.completionVisible(cq));
    }

    @Test
    void abortOfAnOutstandingRequestCompletesIt_5_1_and_5_2()
    {
        final int aer = submitAsyncEventRequest();
        final int abortCid = host.submit(host.admin, e -> e.opcode(Opcodes.ADMIN_ABORT).cdw(10, (aer << 16)));
        // The aborted request completes before the Abort does.
        final RawHost.Completion aborted = host.reap(host.admin);
        final RawHost.Completion abort = host.reap(host.admin);
        assertEquals(aer, aborted.cid());
        assertEquals(abortCid, abort.cid());
        assertEquals(Status.ABORT_REQUESTED, aborted.status());
        assertEquals(0, abort.dw0() & 1, "aborted");
    }

    @Test
    void resetDropsOutstandingRequests_3_7_2()
    {
        submitAsyncEventRequest();
        host.disable();
        host.enable(16);
        for (int i = 0; i < AdminCommands.ASYNC_EVENT_LIMIT; i++)
        {
            submitAsyncEventRequest();
        }
        assertNull(host.tryReap(host.admin), "the limit counts only requests made since the reset");
    }
}
