package io.nvmeq.hw.emu;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * A minimal host for conformance tests: it drives the controller only as a driver would, through BAR0
 * registers, doorbells, rings in direct memory and the controller's own IOMMU. Every wait is bounded.
 * Allocation and admin commands belong to one thread; each I/O queue may then be driven by its own thread.
 */
final class RawHost implements AutoCloseable
{
    static final int PAGE = 4096;
    /** Every wait is bounded by this: generous, since a device thread shares a busy machine's cores. */
    private static final long WAIT_NANOS = 10_000_000_000L;

    final EmulatedController controller;
    final RegisterSpace registers;
    final EmulatedIommu iommu;
    private final List<ByteBuffer> keepAlive = new ArrayList<>();
    private long nextIova = 0x10000;
    HostQueue admin;

    RawHost(final EmulatedController controller)
    {
        this.controller = controller;
        this.registers = controller.registers();
        this.iommu = controller.iommu();
    }

    static RawHost create(final EmulatorConfig config)
    {
        return new RawHost(EmulatedController.create(config, "emu:test"));
    }

    /** Over {@code config} with {@code deviceThreads} threads of the controller's own (0: inline). */
    static RawHost create(final EmulatorConfig.Builder config, final int deviceThreads)
    {
        return create(config.deviceThreads(deviceThreads).build());
    }

    /** Page-aligned direct memory, mapped through the IOMMU at a fresh IOVA. */
    Dma allocate(final int bytes)
    {
        final Dma dma = allocateUnmapped(bytes);
        iommu.map(dma.address, dma.length(), dma.iova);
        return dma;
    }

    /** Page-aligned direct memory with an IOVA reserved for it, but not mapped. */
    Dma allocateUnmapped(final int bytes)
    {
        final int length = (bytes + PAGE - 1) / PAGE * PAGE;
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(length, PAGE);
        keepAlive.add(memory);
        final Dma dma = new Dma(new UnsafeBuffer(memory), BufferUtil.address(memory), nextIova);
        nextIova += length + PAGE; // a guard page between buffers, never mapped
        return dma;
    }

    /** The CC.EN handshake of §3.5.1 with 4 KiB pages; returns CSTS after the bounded wait. */
    int enable(final int adminEntries)
    {
        admin = new HostQueue(0, adminEntries, allocate(adminEntries * SubmissionEntry.SIZE),
            allocate(adminEntries * CompletionEntry.SIZE));
        registers.write32(Registers.AQA, Registers.aqa(adminEntries, adminEntries));
        registers.write64(Registers.ASQ, admin.sq.iova);
        registers.write64(Registers.ACQ, admin.cq.iova);
        registers.write32(Registers.CC, Registers.ccEnable(12));
        return waitFor(Registers.CSTS_RDY, Registers.CSTS_RDY);
    }

    int disable()
    {
        registers.write32(Registers.CC, 0);
        return waitFor(Registers.CSTS_RDY, 0);
    }

    int waitFor(final int mask, final int value)
    {
        int csts = registers.read32(Registers.CSTS);
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while ((csts & mask) != value && (csts & Registers.CSTS_CFS) == 0 && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
            csts = registers.read32(Registers.CSTS);
        }
        return csts;
    }

    /** Submits one admin command and waits for its completion. */
    Completion admin(final Consumer<SubmissionEntry> fill)
    {
        return execute(admin, fill);
    }

    Completion execute(final HostQueue queue, final Consumer<SubmissionEntry> fill)
    {
        final int cid = push(queue, fill);
        ringSq(queue);
        final Completion completion = reap(queue);
        if (completion == null)
        {
            throw new AssertionError("no completion for command " + cid + " on queue " + queue.qid);
        }
        if (completion.cid != cid)
        {
            throw new AssertionError("completion for command " + completion.cid + ", expected " + cid);
        }
        return completion;
    }

    /** Writes an entry at the SQ tail without ringing the doorbell; returns its command id. */
    int push(final HostQueue queue, final Consumer<SubmissionEntry> fill)
    {
        final int cid = queue.nextCid++ & 0xFFFF;
        final SubmissionEntry entry = new SubmissionEntry().wrap(queue.sq.buffer, queue.sqTail * SubmissionEntry.SIZE).clear();
        fill.accept(entry);
        entry.commandId(cid);
        queue.sqTail = (queue.sqTail + 1) % queue.entries;
        return cid;
    }

    /**
     * Rings the SQ tail doorbell. With device threads it then waits until the device fetched and
     * executed what it could, so that a test sees the same state after this call in both modes.
     */
    void ringSq(final HostQueue queue)
    {
        registers.write32(Registers.sqTailDoorbell(queue.qid, 0), queue.sqTail);
        awaitDevice(queue);
    }

    /** Reaps one completion if the controller posted one within a bounded wait; updates the CQ head doorbell. */
    Completion reap(final HostQueue queue)
    {
        final CompletionEntry entry = new CompletionEntry().wrap(queue.cq.buffer, queue.cqHead * CompletionEntry.SIZE);
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() - deadline < 0)
        {
            controller.poll(queue.qid);
            final int statusPhase = entry.statusPhaseVolatile();
            if (CompletionEntry.phaseOf(statusPhase) == queue.phase)
            {
                final Completion completion = new Completion(entry.dw0(), CompletionEntry.statusOf(statusPhase),
                    entry.sqHead(), entry.sqId(), entry.commandId(), CompletionEntry.phaseOf(statusPhase));
                queue.cqHead = (queue.cqHead + 1) % queue.entries;
                if (queue.cqHead == 0)
                {
                    queue.phase ^= 1;
                }
                registers.write32(Registers.cqHeadDoorbell(queue.qid, 0), queue.cqHead);
                awaitDevice(queue); // the freed room may let a stalled queue run
                return completion;
            }
            Thread.onSpinWait();
        }
        return null;
    }

    /** Polls the controller once and reaps a completion if one is visible; null otherwise. */
    Completion tryReap(final HostQueue queue)
    {
        awaitDevice(queue);
        controller.poll(queue.qid);
        if (!completionVisible(queue))
        {
            return null;
        }
        return reap(queue);
    }

    /** Submits one command without waiting; returns its command id. */
    int submit(final HostQueue queue, final Consumer<SubmissionEntry> fill)
    {
        final int cid = push(queue, fill);
        ringSq(queue);
        return cid;
    }

    /** Whether a new completion is visible at the CQ head now (no waiting, no doorbell). */
    boolean completionVisible(final HostQueue queue)
    {
        awaitDevice(queue);
        final CompletionEntry entry = new CompletionEntry().wrap(queue.cq.buffer, queue.cqHead * CompletionEntry.SIZE);
        return CompletionEntry.phaseOf(entry.statusPhaseVolatile()) == queue.phase;
    }

    /**
     * With device threads, waits until the device fetched what was submitted to {@code queue} and
     * finished executing it, so that "no completion" means the device posted none, not that it has
     * not run yet. Inline, the doorbell write did that work already.
     */
    void awaitDevice(final HostQueue queue)
    {
        final SubmissionQueue sq = controller.submissionQueue(queue.qid);
        if (controller.config().deviceThreads() > 0 && sq != null && !sq.awaitFetched(WAIT_NANOS))
        {
            throw new AssertionError("the device did not fetch the entries of queue " + queue.qid);
        }
    }

    Completion createCompletionQueue(final int qid, final Dma ring, final int entries)
    {
        return admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(ring.iova)
            .cdw(10, ((entries - 1) << 16) | qid).cdw(11, Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
    }

    Completion createSubmissionQueue(final int qid, final Dma ring, final int entries, final int cqid)
    {
        return admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_SQ).prp1(ring.iova)
            .cdw(10, ((entries - 1) << 16) | qid).cdw(11, (cqid << 16) | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
    }

    /** Creates I/O CQ and SQ {@code qid} of {@code entries} each, and fails the test if either is refused. */
    HostQueue createQueuePair(final int qid, final int entries)
    {
        final HostQueue queue = new HostQueue(qid, entries, allocate(entries * SubmissionEntry.SIZE),
            allocate(entries * CompletionEntry.SIZE));
        requireSuccess(createCompletionQueue(qid, queue.cq, entries), "Create I/O CQ " + qid);
        requireSuccess(createSubmissionQueue(qid, queue.sq, entries, qid), "Create I/O SQ " + qid);
        return queue;
    }

    static void requireSuccess(final Completion completion, final String what)
    {
        if (completion.status != 0)
        {
            throw new AssertionError(what + " failed: " + io.nvmeq.hw.spec.Status.describe(completion.status));
        }
    }

    /** Read or Write of {@code blocks} blocks at {@code slba} with the given PRPs. */
    static Consumer<SubmissionEntry> io(
        final int opcode, final int nsid, final long slba, final int blocks, final long prp1, final long prp2)
    {
        return e -> e.opcode(opcode).namespaceId(nsid).startingLba(slba).cdw(12, blocks - 1).prp1(prp1).prp2(prp2);
    }

    @Override
    public void close()
    {
        controller.close();
    }

    /** A page-aligned DMA buffer: host view, host address, IOVA. */
    static final class Dma
    {
        final UnsafeBuffer buffer;
        final long address;
        final long iova;

        Dma(final UnsafeBuffer buffer, final long address, final long iova)
        {
            this.buffer = buffer;
            this.address = address;
            this.iova = iova;
        }

        int length()
        {
            return buffer.capacity();
        }
    }

    /** Host-side state of one queue pair (or the admin queue). */
    static final class HostQueue
    {
        final int qid;
        final int entries;
        final Dma sq;
        final Dma cq;
        int sqTail;
        int cqHead;
        int phase = 1;
        /** Command ids per queue, so that threads that own different queues share nothing here. */
        int nextCid;

        HostQueue(final int qid, final int entries, final Dma sq, final Dma cq)
        {
            this.qid = qid;
            this.entries = entries;
            this.sq = sq;
            this.cq = cq;
        }
    }

    /** A completion as the host read it; status is the 15-bit status field (Status constants). */
    record Completion(int dw0, int status, int sqHead, int sqId, int cid, int phase)
    {
    }
}
