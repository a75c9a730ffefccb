package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The controller caches each queue ring's IOMMU translation ({@link QueueMemory}); these tests hold it to
 * the IOMMU's contract: once an unmap returns, no entry is read or written through the removed mapping,
 * a remapped ring is reached at its new host memory, and a ring split across mappings works entry by entry.
 */
class QueueTranslationTest
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
    void submissionRingUnmappedAfterUseIsNotReadAgain()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        final RawHost.Dma data = host.allocate(4096);
        host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 8, data.iova, 0));
        final long writes = host.controller.counters().writes();

        host.iommu.unmap(queue.sq.iova, queue.sq.length());
        final long entryIova = queue.sq.iova + (long)queue.sqTail * SubmissionEntry.SIZE;
        host.push(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 8, 8, data.iova, 0));
        host.ringSq(queue);

        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(entryIova, host.iommu.lastFaultIova());
        assertEquals(writes, host.controller.counters().writes(), "the entry behind the unmapped ring was executed");
    }

    @Test
    void completionRingUnmappedAfterUseIsNotWrittenAgain()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        final long slotIova = queue.cq.iova + (long)queue.cqHead * CompletionEntry.SIZE;

        host.iommu.unmap(queue.cq.iova, queue.cq.length());
        final byte[] before = new byte[queue.cq.length()];
        queue.cq.buffer.getBytes(0, before);
        host.push(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        host.ringSq(queue);

        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(slotIova, host.iommu.lastFaultIova());
        final byte[] after = new byte[queue.cq.length()];
        queue.cq.buffer.getBytes(0, after);
        assertArrayEquals(before, after, "unmapped ring memory changed");
    }

    @Test
    void ringsRemappedAtTheSameIovaAreReachedAtTheirNewMemory()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));

        // Same IOVAs, new host memory holding the rings' current contents.
        final RawHost.Dma newSq = host.allocateUnmapped(queue.sq.length());
        final RawHost.Dma newCq = host.allocateUnmapped(queue.cq.length());
        newSq.buffer.putBytes(0, queue.sq.buffer, 0, queue.sq.length());
        newCq.buffer.putBytes(0, queue.cq.buffer, 0, queue.cq.length());
        host.iommu.unmap(queue.sq.iova, queue.sq.length());
        host.iommu.map(newSq.address, newSq.length(), queue.sq.iova);
        host.iommu.unmap(queue.cq.iova, queue.cq.length());
        host.iommu.map(newCq.address, newCq.length(), queue.cq.iova);
        final RawHost.HostQueue moved = new RawHost.HostQueue(1, 8,
            new RawHost.Dma(newSq.buffer, newSq.address, queue.sq.iova),
            new RawHost.Dma(newCq.buffer, newCq.address, queue.cq.iova));
        moved.sqTail = queue.sqTail;
        moved.cqHead = queue.cqHead;
        moved.phase = queue.phase;
        moved.nextCid = queue.nextCid;
        final byte[] oldCq = new byte[queue.cq.length()];
        queue.cq.buffer.getBytes(0, oldCq);

        final RawHost.Completion completion = host.execute(moved, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));

        assertEquals(0, completion.status());
        final byte[] oldCqAfter = new byte[queue.cq.length()];
        queue.cq.buffer.getBytes(0, oldCqAfter);
        assertArrayEquals(oldCq, oldCqAfter, "the old CQ memory was written");
        assertEquals(0, host.iommu.faultCount());
    }

    @Test
    void ringSplitAcrossMappingsIsTranslatedEntryByEntry()
    {
        // 128 entries of 64 bytes: two pages, mapped as two mappings.
        final int entries = 128;
        final RawHost.Dma sq = host.allocateUnmapped(entries * SubmissionEntry.SIZE);
        host.iommu.map(sq.address, 4096, sq.iova);
        host.iommu.map(sq.address + 4096, 4096, sq.iova + 4096);
        final RawHost.Dma cq = host.allocate(entries * CompletionEntry.SIZE);
        RawHost.requireSuccess(host.createCompletionQueue(1, cq, entries), "Create I/O CQ");
        RawHost.requireSuccess(host.createSubmissionQueue(1, sq, entries, 1), "Create I/O SQ");
        final RawHost.HostQueue queue = new RawHost.HostQueue(1, entries, sq, cq);

        // The first page's 64 entries execute; then the second page goes away.
        for (int i = 0; i < 64; i++)
        {
            assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
        }
        host.iommu.unmap(sq.iova + 4096, 4096);
        host.push(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        host.ringSq(queue);

        assertNull(host.tryReap(queue));
        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(sq.iova + 4096, host.iommu.lastFaultIova());
    }
}
