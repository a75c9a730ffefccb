package io.nvmeq.hw.vfio;

import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.dma.DmaMemory;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * A host for the guest tests that drives a real controller through VFIO with nothing but BAR0
 * registers, doorbells and rings in DMA memory mapped at IOVAs (no engine): bring-up, admin commands,
 * raw I/O queues. One page of the DMA memory per ring; every wait is bounded.
 */
final class RawGuestHost implements AutoCloseable
{
    static final int PAGE = 4096;
    static final int ENTRIES = 16;
    private static final long WAIT_NANOS = 30_000_000_000L;
    private static final int RINGS = 16;
    private static final long IOVA_BASE = 0x10_0000L;

    private final NvmeDevice device;
    private final DmaMemory memory;
    private final int dstrd;
    private final Queue admin;
    private int nextRing;

    RawGuestHost(final NvmeDevice device)
    {
        this.device = device;
        this.memory = DmaMemory.allocate((long)RINGS * PAGE);
        boolean mapped = false;
        try
        {
            requireUsable(device, IOVA_BASE, memory.length());
            device.iommu().map(memory.address(), memory.length(), IOVA_BASE);
            mapped = true;
            final long cap = device.registers().read64(Registers.CAP);
            this.dstrd = (int)((cap >>> 32) & 0xF);
            this.admin = new Queue(0);
            enable(cap);
        }
        catch (final RuntimeException ex)
        {
            if (mapped)
            {
                device.iommu().unmap(IOVA_BASE, memory.length());
            }
            memory.close();
            throw ex;
        }
    }

    private static void requireUsable(final NvmeDevice device, final long iova, final long length)
    {
        for (final IovaRange range : device.iommu().usableRanges())
        {
            if (range.contains(iova, length))
            {
                return;
            }
        }
        throw new AssertionError("IOVA 0x" + Long.toHexString(iova) + " is not usable: " + device.iommu().usableRanges());
    }

    private void enable(final long cap)
    {
        final long timeoutNanos = Math.max(1, (cap >>> 24) & 0xFF) * 500_000_000L;
        device.registers().write32(Registers.CC, 0);
        waitReady(0, timeoutNanos);
        device.registers().write32(Registers.AQA, Registers.aqa(ENTRIES, ENTRIES));
        device.registers().write64(Registers.ASQ, admin.sqIova);
        device.registers().write64(Registers.ACQ, admin.cqIova);
        device.registers().write32(Registers.CC, Registers.ccEnable(12));
        waitReady(Registers.CSTS_RDY, timeoutNanos);
    }

    private void waitReady(final int ready, final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        int csts;
        while (((csts = device.registers().read32(Registers.CSTS)) & Registers.CSTS_RDY) != ready)
        {
            if ((csts & Registers.CSTS_CFS) != 0 || System.nanoTime() > deadline)
            {
                throw new AssertionError("CSTS 0x" + Integer.toHexString(csts) + " waiting for RDY = " + ready);
            }
            Thread.onSpinWait();
        }
    }

    /** Runs one admin command and returns its completion's DW0; fails the test on an error status. */
    int admin(final Consumer<SubmissionEntry> fill, final String what)
    {
        submit(admin, fill);
        final int[] completion = reap(admin, WAIT_NANOS);
        if (completion == null || completion[1] != 0)
        {
            throw new AssertionError(what + ": " + (completion == null ? "no completion" : Status.describe(completion[1])));
        }
        return completion[0];
    }

    /** Creates I/O CQ and SQ {@code qid}; the CQ with vector {@code vector}, interrupts enabled or not. */
    Queue createQueuePair(final int qid, final int vector, final boolean interruptsEnabled)
    {
        final Queue queue = new Queue(qid);
        admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(queue.cqIova).cdw(10, ((ENTRIES - 1) << 16) | qid)
            .cdw(11, (vector << 16) | (interruptsEnabled ? Opcodes.CQ_INTERRUPTS_ENABLED : 0)
                | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS), "Create I/O CQ " + qid);
        admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_SQ).prp1(queue.sqIova).cdw(10, ((ENTRIES - 1) << 16) | qid)
            .cdw(11, (qid << 16) | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS), "Create I/O SQ " + qid);
        return queue;
    }

    /** Writes one entry at the SQ tail and rings the doorbell. */
    void submit(final Queue queue, final Consumer<SubmissionEntry> fill)
    {
        final SubmissionEntry entry = new SubmissionEntry().wrap(queue.sq, queue.sqTail * SubmissionEntry.SIZE).clear();
        fill.accept(entry);
        entry.commandId(queue.nextCid++ & 0xFFFF);
        queue.sqTail = (queue.sqTail + 1) % ENTRIES;
        device.registers().write32(Registers.sqTailDoorbell(queue.qid, dstrd), queue.sqTail);
    }

    /** Whether a completion is at the CQ head now. */
    boolean completionVisible(final Queue queue)
    {
        final CompletionEntry entry = new CompletionEntry().wrap(queue.cq, queue.cqHead * CompletionEntry.SIZE);
        return CompletionEntry.phaseOf(entry.statusPhaseVolatile()) == queue.phase;
    }

    /** Reaps one completion within {@code timeoutNanos}: {dw0, status}, or null. */
    int[] reap(final Queue queue, final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        final CompletionEntry entry = new CompletionEntry().wrap(queue.cq, queue.cqHead * CompletionEntry.SIZE);
        while (CompletionEntry.phaseOf(entry.statusPhaseVolatile()) != queue.phase)
        {
            if (System.nanoTime() > deadline)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        final int[] completion = {entry.dw0(), CompletionEntry.statusOf(entry.statusPhaseVolatile())};
        queue.cqHead = (queue.cqHead + 1) % ENTRIES;
        if (queue.cqHead == 0)
        {
            queue.phase ^= 1;
        }
        device.registers().write32(Registers.cqHeadDoorbell(queue.qid, dstrd), queue.cqHead);
        return completion;
    }

    /** Disables the controller and releases the DMA memory; the device stays open. */
    @Override
    public void close()
    {
        try
        {
            device.registers().write32(Registers.CC, 0);
            waitReady(0, WAIT_NANOS);
            device.iommu().unmap(IOVA_BASE, memory.length());
        }
        finally
        {
            memory.close();
        }
    }

    /** Host state of one queue pair: a page for the SQ, one for the CQ. */
    final class Queue
    {
        final int qid;
        final UnsafeBuffer sq;
        final UnsafeBuffer cq;
        final long sqIova;
        final long cqIova;
        int sqTail;
        int cqHead;
        int phase = 1;
        int nextCid;

        Queue(final int qid)
        {
            if (nextRing + 2 > RINGS)
            {
                throw new IllegalStateException("no DMA pages left for queue " + qid);
            }
            this.qid = qid;
            this.sq = ring(nextRing);
            this.sqIova = IOVA_BASE + (long)nextRing++ * PAGE;
            this.cq = ring(nextRing);
            this.cqIova = IOVA_BASE + (long)nextRing++ * PAGE;
        }

        private UnsafeBuffer ring(final int index)
        {
            final UnsafeBuffer ring = new UnsafeBuffer(memory.address() + (long)index * PAGE, PAGE);
            ring.setMemory(0, PAGE, (byte)0);
            return ring;
        }
    }
}
