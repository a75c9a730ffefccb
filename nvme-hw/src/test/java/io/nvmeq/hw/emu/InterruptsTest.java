package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * Interrupts of the emulated controller, driven through raw registers and queues: Create I/O CQ IEN/IV
 * (NVMe base spec 2.0 §5.4, status Invalid Interrupt Vector), Interrupt Coalescing (§5.27.1.6), Interrupt
 * Vector Configuration (§5.27.1.7), the admin queue's vector 0 (ACQ, §3.1.3.10), and the MSI-X table Mask and
 * Pending bits (PCI Local Bus 3.0 §6.8.2.9, §6.8.2.10; INTMS/INTMC are not used with MSI-X, §3.1.3.3).
 * Coalescing time runs on the controller's replaceable clock, never on the wall clock.
 */
class InterruptsTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private static final long GENEROUS = TimeUnit.SECONDS.toNanos(30);
    private static final long TIME_UNIT_NANOS = 100_000L;

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaceBytes(1L << 20).maxIoQueuePairs(4).maxQueueEntries(64).deviceThreads(deviceThreads()).build());
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void enable()
    {
        host.controller.interruptState().clock(clock::get);
        host.enable(8);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion createCq(final int qid, final RawHost.Dma ring, final int entries, final int cdw11)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(ring.iova)
            .cdw(10, ((entries - 1) << 16) | qid).cdw(11, cdw11 | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
    }

    /** I/O CQ and SQ {@code qid}, the CQ with vector {@code vector}, interrupts enabled or not. */
    private RawHost.HostQueue queuePair(final int qid, final int vector, final boolean interruptsEnabled)
    {
        final int entries = 16;
        final RawHost.HostQueue queue = new RawHost.HostQueue(qid, entries, host.allocate(entries * SubmissionEntry.SIZE),
            host.allocate(entries * CompletionEntry.SIZE));
        RawHost.requireSuccess(createCq(qid, queue.cq, entries,
            (vector << 16) | (interruptsEnabled ? Opcodes.CQ_INTERRUPTS_ENABLED : 0)), "Create I/O CQ " + qid);
        RawHost.requireSuccess(host.createSubmissionQueue(qid, queue.sq, entries, qid), "Create I/O SQ " + qid);
        return queue;
    }

    private RawHost.Completion flush(final RawHost.HostQueue queue)
    {
        final RawHost.Completion completion = host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertEquals(0, completion.status());
        return completion;
    }

    private void setFeature(final int fid, final int cdw11)
    {
        RawHost.requireSuccess(host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES).cdw(10, fid).cdw(11, cdw11)),
            "Set Features " + fid);
    }

    private RawHost.Completion getFeature(final int fid, final int select, final int cdw11)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, (select << 8) | fid).cdw(11, cdw11));
    }

    private int vectorControlOffset(final int vector)
    {
        return host.controller.interruptState().tableOffset() + vector * Interrupts.TABLE_ENTRY_BYTES +
            Interrupts.VECTOR_CONTROL;
    }

    private boolean pendingBit(final int vector)
    {
        final int pba = host.registers.read32(host.controller.interruptState().pbaOffset() + vector / 32 * 4);
        return (pba & (1 << (vector % 32))) != 0;
    }

    @Test
    void theControllerHasOneVectorPerQueuePairAndOneForAdmin()
    {
        assertEquals(5, host.controller.interrupts().count());
        assertSame(host.controller.interrupts().eventFd(4), host.controller.interrupts().eventFd(4), "one eventfd per vector");
        assertThrows(IllegalArgumentException.class, () -> host.controller.interrupts().eventFd(5));
        assertThrows(IllegalArgumentException.class, () -> host.controller.interrupts().eventFd(-1));
    }

    @Test
    void ienZeroNeverSignals_5_4()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, false);
        for (int i = 0; i < 5; i++)
        {
            flush(queue);
        }
        assertFalse(vector.isSignalled(), "IEN = 0: completions raise no interrupt");
        assertEquals(0, vector.drain());
    }

    @Test
    void ienOneSignalsTheQueuesVectorForEveryCompletion_5_4()
    {
        final EventFd one = host.controller.interrupts().eventFd(1);
        final EventFd two = host.controller.interrupts().eventFd(2);
        final RawHost.HostQueue queue = queuePair(1, 2, true);
        flush(queue);
        assertEquals(1, two.drain(), "one completion, one interrupt on the queue's vector");
        for (int i = 0; i < 3; i++)
        {
            host.push(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        }
        host.ringSq(queue);
        assertEquals(3, two.drain(), "no coalescing by default (§5.27.1.6: TIME 0 is no delay)");
        assertFalse(one.isSignalled(), "another vector stays quiet");
        for (int i = 0; i < 3; i++)
        {
            assertNotNull(host.reap(queue));
        }
    }

    @Test
    void theAdminQueueAlwaysSignalsVectorZero_3_1_3_10()
    {
        final EventFd admin = host.controller.interrupts().eventFd(0);
        assertEquals(0, admin.drain());
        getFeature(Opcodes.FEATURE_NUMBER_OF_QUEUES, 0, 0);
        assertEquals(1, admin.drain());
        // The vector survives a controller reset and the new admin queue signals it at once.
        host.disable();
        host.enable(8);
        admin.drain();
        getFeature(Opcodes.FEATURE_NUMBER_OF_QUEUES, 0, 0);
        assertEquals(1, admin.drain());
    }

    @Test
    void invalidInterruptVectorIsRefusedAndCreatesNothing_5_4()
    {
        final RawHost.Dma ring = host.allocate(4096);
        final int count = host.controller.interrupts().count();
        final RawHost.Completion refused = createCq(1, ring, 16, (count << 16) | Opcodes.CQ_INTERRUPTS_ENABLED);
        assertEquals(Status.INVALID_INTERRUPT_VECTOR, refused.status() & 0x7FF, Status.describe(refused.status()));
        assertEquals(0x08, refused.status() & 0xFF, "status code 08h");
        assertEquals(Status.SCT_COMMAND_SPECIFIC, (refused.status() >>> 8) & 0x7, "command specific status type");
        assertTrue(Status.doNotRetry(refused.status()));
        assertEquals(Status.INVALID_INTERRUPT_VECTOR, createCq(1, ring, 16, 0xFFFF << 16).status() & 0x7FF,
            "IV is checked with IEN = 0 too");
        assertNull(host.controller.completionQueue(1), "a refused create leaves no queue");
        assertEquals(0, createCq(1, ring, 16, ((count - 1) << 16) | Opcodes.CQ_INTERRUPTS_ENABLED).status(),
            "the last vector is valid");
    }

    @Test
    void queuesSharingAVectorEachSignalItsEventFd()
    {
        final EventFd shared = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue first = queuePair(1, 1, true);
        final RawHost.HostQueue second = queuePair(2, 1, true);
        final RawHost.HostQueue third = queuePair(3, 1, true);
        flush(first);
        flush(second);
        flush(third);
        assertEquals(3, shared.drain(), "three queues on one vector: three signals of one eventfd");
    }

    @Test
    void aggregationThresholdRaisesAfterThrPlusOneEntries_5_27_1_6()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, true);
        // THR = 3 (zero-based: 4 entries), TIME = 255 (25.5 ms); the clock stands still.
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, (255 << 8) | 3);
        assertEquals((255 << 8) | 3, getFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, 0, 0).dw0());
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 3; i++)
            {
                flush(queue);
                assertFalse(vector.isSignalled(), "round " + round + ": " + (i + 1) + " entries are below THR + 1");
            }
            flush(queue);
            assertEquals(1, vector.drain(), "round " + round + ": the 4th entry raises one interrupt");
        }
        // THR = 0 (one entry) turns coalescing off whatever TIME says.
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, 255 << 8);
        flush(queue);
        assertEquals(1, vector.drain());
    }

    @Test
    void aggregationTimeRaisesFewerEntriesOnceItPasses_5_27_1_6()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, true);
        // THR = 9 (10 entries), TIME = 2 (200 µs).
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, (2 << 8) | 9);
        assertEquals(Long.MAX_VALUE, host.controller.nextPollDeadline(1), "nothing aggregated, nothing due");
        final long first = clock.get();
        flush(queue);
        flush(queue);
        assertEquals(first + 2 * TIME_UNIT_NANOS, host.controller.nextPollDeadline(1),
            "the host must tick by the first entry's time + TIME");
        clock.addAndGet(2 * TIME_UNIT_NANOS - 1);
        host.controller.poll(1);
        assertFalse(vector.isSignalled(), "1 ns before TIME passes");
        clock.addAndGet(1);
        host.controller.poll(1);
        assertEquals(1, vector.drain(), "TIME passed since the first aggregated entry: raised at the host's tick");
        assertEquals(Long.MAX_VALUE, host.controller.nextPollDeadline(1));
        host.controller.poll(1);
        assertFalse(vector.isSignalled(), "nothing aggregated: a tick raises nothing");
        // A completion posted after the time passed raises at once, without a tick.
        flush(queue);
        clock.addAndGet(3 * TIME_UNIT_NANOS);
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertEquals(1, vector.drain());
        assertNotNull(host.reap(queue));
    }

    @Test
    void adminCompletionsAreNeverCoalesced_5_27_1_6()
    {
        final EventFd admin = host.controller.interrupts().eventFd(0);
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, (255 << 8) | 7);
        admin.drain();
        getFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, 0, 0);
        assertEquals(1, admin.drain());
    }

    @Test
    void coalescingDisablePerVector_5_27_1_7()
    {
        final EventFd one = host.controller.interrupts().eventFd(1);
        final EventFd two = host.controller.interrupts().eventFd(2);
        final RawHost.HostQueue first = queuePair(1, 1, true);
        final RawHost.HostQueue second = queuePair(2, 2, true);
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, (255 << 8) | 1);
        setFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, Opcodes.COALESCING_DISABLE | 1);
        assertEquals(Opcodes.COALESCING_DISABLE | 1, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 0, 1).dw0());
        assertEquals(2, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 0, 2).dw0());
        assertEquals(1, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 1, 1).dw0(), "default: CD clear");
        flush(first);
        assertEquals(1, one.drain(), "CD set: raised per entry");
        flush(second);
        assertFalse(two.isSignalled(), "vector 2 still aggregates (THR 1: two entries)");
        flush(second);
        assertEquals(1, two.drain());
        final int count = host.controller.interrupts().count();
        assertEquals(Status.INVALID_FIELD, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION).cdw(11, count)).status() & 0x7FF);
        assertEquals(Status.INVALID_FIELD, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 0, count).status() & 0x7FF);
        assertEquals(1 << 2, getFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, 3, 0).dw0(), "changeable");
        assertEquals(1 << 2, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 3, 1).dw0(), "changeable");
    }

    @Test
    void aControllerResetRestoresTheCoalescingDefaults_3_7_2()
    {
        setFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, (10 << 8) | 4);
        setFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, Opcodes.COALESCING_DISABLE | 3);
        host.disable();
        host.enable(8);
        assertEquals(0, getFeature(Opcodes.FEATURE_INTERRUPT_COALESCING, 0, 0).dw0());
        assertEquals(3, getFeature(Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION, 0, 3).dw0());
    }

    @Test
    void aMaskedVectorHoldsItsInterruptPendingAndUnmaskingDeliversIt_msixTable()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, true);
        assertEquals(0, host.registers.read32(vectorControlOffset(1)), "routed to its eventfd: unmasked");
        host.registers.write32(vectorControlOffset(1), 1);
        assertEquals(1, host.registers.read32(vectorControlOffset(1)));
        flush(queue);
        flush(queue);
        assertFalse(vector.isSignalled(), "masked: no message");
        assertTrue(pendingBit(1), "the Pending bit is set instead");
        assertFalse(pendingBit(2));
        host.registers.write32(vectorControlOffset(1), 0);
        assertEquals(1, vector.drain(), "unmasking delivers the pending interrupt, once");
        assertFalse(pendingBit(1));
        flush(queue);
        assertEquals(1, vector.drain(), "unmasked again: per completion");
        // Masking without anything raised meanwhile leaves nothing pending.
        host.registers.write32(vectorControlOffset(1), 1);
        host.registers.write32(vectorControlOffset(1), 0);
        assertFalse(vector.isSignalled());
    }

    @Test
    void aVectorNoOneRoutedYetStartsMaskedAndRoutingItDeliversWhatIsPending_msixTable()
    {
        final RawHost.HostQueue queue = queuePair(1, 3, true);
        assertEquals(1, host.registers.read32(vectorControlOffset(3)), "MSI-X entries come out of reset masked");
        flush(queue);
        assertTrue(pendingBit(3));
        final EventFd vector = host.controller.interrupts().eventFd(3);
        assertEquals(1, vector.drain(), "routed: the pending interrupt arrives");
        assertEquals(0, host.registers.read32(vectorControlOffset(3)));
    }

    @Test
    void intmsAndIntmcDoNotMaskMsix_3_1_3_3()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, true);
        host.registers.write32(Registers.INTMS, 0xFFFF_FFFF);
        assertEquals(0, host.registers.read32(Registers.INTMS));
        assertEquals(0, host.registers.read32(Registers.INTMC));
        flush(queue);
        assertEquals(1, vector.drain());
        // The doorbells below the MSI-X table still work: queue 4's CQ head doorbell is the last one.
        assertTrue(Registers.cqHeadDoorbell(4, 0) + 4 <= host.controller.interruptState().tableOffset());
    }

    @Test
    void aCompletionBetweenTheLastCheckAndTheWaitLeavesTheEventFdReadable()
    {
        final EventFd vector = host.controller.interrupts().eventFd(1);
        final RawHost.HostQueue queue = queuePair(1, 1, true);
        // The host's last look finds nothing, it drains the vector to arm it ...
        assertFalse(host.completionVisible(queue));
        vector.drain();
        // ... a completion lands before it blocks ...
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        // ... and the wait returns at once: the counter holds the signal until it is read.
        assertTrue(vector.await(GENEROUS));
        assertTrue(host.completionVisible(queue));
        assertEquals(1, vector.drain());
        assertNotNull(host.reap(queue));
    }

    @Test
    void aSleepBoundedByTheNextPollDeadlineSeesALatencyModelCompletion()
    {
        // With device threads the device posts on time by itself: the 1 ms would race the asserts below.
        assumeTrue(deviceThreads() == 0, "a host-ticked emulator only");
        try (RawHost slow = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).maxIoQueuePairs(2)
            .latency(LatencyModel.NONE.withFlush(ServiceTime.fixed(TimeUnit.MILLISECONDS.toNanos(1)))).deviceThreads(deviceThreads()).build()))
        {
            slow.enable(8);
            final EventFd vector = slow.controller.interrupts().eventFd(1);
            final RawHost.HostQueue queue = new RawHost.HostQueue(1, 16, slow.allocate(16 * 64), slow.allocate(16 * 16));
            RawHost.requireSuccess(slow.admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(queue.cq.iova)
                .cdw(10, (15 << 16) | 1).cdw(11, (1 << 16) | Opcodes.CQ_INTERRUPTS_ENABLED
                    | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS)), "CQ");
            RawHost.requireSuccess(slow.createSubmissionQueue(1, queue.sq, 16, 1), "SQ");
            final long before = System.nanoTime();
            slow.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
            final long after = System.nanoTime();
            assertFalse(vector.isSignalled(), "the completion is not due yet");
            final long deadline = slow.controller.nextPollDeadline(1);
            final long service = TimeUnit.MILLISECONDS.toNanos(1);
            assertTrue(deadline >= before + service && deadline <= after + service, "due one service time after submission");
            // A host that sleeps on the vector, bounded by the device's next deadline, then ticks: the
            // way a driver waits on the emulator, which has no thread of its own.
            for (int sleeps = 0; !vector.isSignalled() && sleeps < 100_000; sleeps++)
            {
                vector.await(Math.max(0, slow.controller.nextPollDeadline(1) - System.nanoTime()));
                slow.controller.poll(1);
            }
            assertTrue(vector.isSignalled(), "the tick that posted the completion raised the vector");
            assertEquals(Long.MAX_VALUE, slow.controller.nextPollDeadline(1), "nothing waits any more");
            assertTrue(slow.completionVisible(queue), "woken with the completion in the ring");
            assertNotNull(slow.reap(queue));
        }
    }

    @Test
    void closingTheControllerClosesItsEventFds()
    {
        final EventFd vector = host.controller.interrupts().eventFd(2);
        final EventFd admin = host.controller.interrupts().eventFd(0);
        host.close();
        assertTrue(vector.isClosed());
        assertTrue(admin.isClosed());
        assertThrows(IllegalStateException.class, () -> host.controller.interrupts().eventFd(1));
    }
}
