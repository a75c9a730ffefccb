package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;

/** Queue mechanics: NVMe base spec 2.0 §4.1 (queues), §4.6 (completion entries, phase tag), §3.1.3.x doorbells. */
class QueueTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private final RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).deviceThreads(deviceThreads()).build());

    @BeforeEach
    void enable()
    {
        host.enable(4);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    @Test
    void phaseTagInvertsOnEveryLap_4_6_1()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 3);
        final CompletionEntry entry = new CompletionEntry();
        // 5 laps of a 3-entry queue; the phase the host expects flips each lap, and entries carry it.
        for (int i = 0; i < 15; i++)
        {
            final int expectedPhase = (i / 3) % 2 == 0 ? 1 : 0;
            final int slot = i % 3;
            final RawHost.Completion completion = host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
            assertEquals(expectedPhase, completion.phase(), "completion " + i);
            assertEquals(0, completion.status());
            assertEquals((i + 1) % 3, completion.sqHead());
            assertEquals(expectedPhase, CompletionEntry.phaseOf(entry.wrap(queue.cq.buffer, slot * 16).statusPhaseVolatile()));
        }
        // The admin queue wraps the same way (4 entries, 6 commands).
        for (int i = 0; i < 6; i++)
        {
            assertEquals(0, host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, Opcodes.FEATURE_VOLATILE_WRITE_CACHE)).status());
        }
    }

    @Test
    void fullCompletionQueueHoldsCommandsUntilTheHostFreesSpace_4_1()
    {
        // SQ of 8, CQ of 3 (room for 2 completions): 5 commands in one doorbell.
        final RawHost.Dma cqRing = host.allocate(4096);
        final RawHost.Dma sqRing = host.allocate(4096);
        RawHost.requireSuccess(host.createCompletionQueue(1, cqRing, 3), "CQ");
        RawHost.requireSuccess(host.createSubmissionQueue(1, sqRing, 8, 1), "SQ");
        final RawHost.HostQueue sq = new RawHost.HostQueue(1, 8, sqRing, cqRing);
        final RawHost.HostQueue cq = new RawHost.HostQueue(1, 3, sqRing, cqRing);
        for (int i = 0; i < 5; i++)
        {
            host.push(sq, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        }
        host.ringSq(sq);
        assertEquals(2, host.controller.counters().flushes(), "only as many commands ran as completions fit");

        int reaped = 0;
        int lastCid = -1;
        for (int i = 0; i < 5; i++)
        {
            final RawHost.Completion completion = host.reap(cq);
            assertNotNull(completion, "completion " + i);
            assertTrue(completion.cid() > lastCid, "in submission order");
            lastCid = completion.cid();
            reaped++;
        }
        assertEquals(5, reaped);
        assertEquals(5, host.controller.counters().flushes());
        assertFalse(host.completionVisible(cq));
    }

    @Test
    void pollResumesAStalledQueueAfterTheHeadDoorbell_DESIGN_2()
    {
        final RawHost.Dma cqRing = host.allocate(4096);
        final RawHost.Dma sqRing = host.allocate(4096);
        RawHost.requireSuccess(host.createCompletionQueue(1, cqRing, 2), "CQ");
        RawHost.requireSuccess(host.createSubmissionQueue(1, sqRing, 4, 1), "SQ");
        final RawHost.HostQueue sq = new RawHost.HostQueue(1, 4, sqRing, cqRing);
        host.push(sq, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        host.push(sq, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        host.ringSq(sq);
        assertEquals(1, host.controller.counters().flushes());
        host.controller.poll(1);
        assertEquals(1, host.controller.counters().flushes(), "no space freed yet: poll changes nothing");
        final RawHost.HostQueue cq = new RawHost.HostQueue(1, 2, sqRing, cqRing);
        assertNotNull(host.reap(cq));
        assertEquals(2, host.controller.counters().flushes(), "the head doorbell let the held command run");
    }

    @Test
    void invalidDoorbellValuesAreIgnored_3_1_3_x()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 4);
        final long before = host.controller.counters().invalidDoorbellWrites();
        host.registers.write32(Registers.sqTailDoorbell(1, 0), 4);
        host.registers.write32(Registers.cqHeadDoorbell(1, 0), 2);
        host.registers.write32(Registers.sqTailDoorbell(9, 0), 1);
        assertEquals(before + 3, host.controller.counters().invalidDoorbellWrites());
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
    }

    @Test
    void unmappedCompletionQueueIsControllerFatal_10_5()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 4);
        host.iommu.unmap(queue.cq.iova, queue.cq.length());
        host.push(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        host.ringSq(queue);
        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(queue.cq.iova, host.iommu.lastFaultIova());
    }
}
