package io.nvmeq.engine;

import java.lang.invoke.VarHandle;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * One submission queue and its completion queue, owned by a single thread: it submits, rings the
 * doorbell and polls; nothing here is locked. Command ids index pre-allocated slots (handler, token and
 * a PRP list page each), so that steady-state I/O allocates nothing.
 *
 * <p>At most {@link #capacity()} commands are in flight (queue entries - 1): the SQ then never
 * overflows, whatever the device's pace of consuming it. Doorbells are batched: submissions only move
 * the tail; {@link #ringDoorbell()} writes it once, and {@link #poll(int)} writes the CQ head once per
 * reap, never the same value twice.
 */
public final class QueuePair
{
    private final int id;
    private final int entries;
    private final int capacity;
    private final NvmeDevice device;
    private final RegisterSpace registers;
    private final int sqTailDoorbell;
    private final int cqHeadDoorbell;
    private final DmaBuffer sqRing;
    private final DmaBuffer cqRing;
    private final DmaBuffer prpLists;
    private final UnsafeBuffer sq;
    private final UnsafeBuffer cq;
    private final UnsafeBuffer lists;
    private final NamespaceInfo[] namespaces;
    private final long maxTransferBytes;

    private final SubmissionEntry sqe = new SubmissionEntry();
    private final CompletionEntry cqe = new CompletionEntry();

    private final CompletionHandler[] handlers;
    private final long[] tokens;
    private final int[] freeCommandIds;
    private int freeCount;

    private int sqTail;
    private int lastRungTail;
    private int sqHead;
    private int cqHead;
    private int cqPhase = 1;
    private int inFlight;
    private int completionDw0;

    private long submitted;
    private long completed;
    private long failed;
    private long strayCompletions;

    QueuePair(
        final int id,
        final int entries,
        final NvmeDevice device,
        final int doorbellStrideShift,
        final DmaBuffer sqRing,
        final DmaBuffer cqRing,
        final DmaBuffer prpLists,
        final NamespaceInfo[] namespaces,
        final long maxTransferBytes)
    {
        this.id = id;
        this.entries = entries;
        this.capacity = entries - 1;
        this.device = device;
        this.registers = device.registers();
        this.sqTailDoorbell = Registers.sqTailDoorbell(id, doorbellStrideShift);
        this.cqHeadDoorbell = Registers.cqHeadDoorbell(id, doorbellStrideShift);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.prpLists = prpLists;
        this.sq = sqRing.buffer();
        this.cq = cqRing.buffer();
        this.lists = prpLists == null ? null : prpLists.buffer();
        this.namespaces = namespaces;
        this.maxTransferBytes = maxTransferBytes;
        this.handlers = new CompletionHandler[capacity];
        this.tokens = new long[capacity];
        this.freeCommandIds = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeCommandIds[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** The queue id: 0 for the admin queue, 1.. for I/O queues. */
    public int id()
    {
        return id;
    }

    /** Queue entries of the SQ and of the CQ. */
    public int entries()
    {
        return entries;
    }

    /** Commands that may be in flight at once. */
    public int capacity()
    {
        return capacity;
    }

    public int inFlight()
    {
        return inFlight;
    }

    public boolean isFull()
    {
        return inFlight == capacity;
    }

    public long submittedCount()
    {
        return submitted;
    }

    public long completedCount()
    {
        return completed;
    }

    public long failedCount()
    {
        return failed;
    }

    /** Completions whose command id was not in flight: a device bug, counted and dropped. */
    public long strayCompletionCount()
    {
        return strayCompletions;
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}.
     *
     * @return false when the queue is full: nothing was submitted.
     * @throws InvalidRequestException on bad input, before anything reaches the device.
     */
    public boolean submitRead(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final CompletionHandler handler, final long token)
    {
        return submitReadWrite(Opcodes.NVM_READ, nsid, lba, blocks, buffer, offset, 0, handler, token);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}; with
     * {@code fua} the data is on non-volatile media when the command completes.
     *
     * @return false when the queue is full: nothing was submitted.
     * @throws InvalidRequestException on bad input, before anything reaches the device.
     */
    public boolean submitWrite(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset, final boolean fua,
        final CompletionHandler handler, final long token)
    {
        return submitReadWrite(
            Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, offset, fua ? Opcodes.RW_FUA : 0, handler, token);
    }

    /**
     * Commits the namespace's volatile write cache to non-volatile media.
     *
     * @return false when the queue is full: nothing was submitted.
     */
    public boolean submitFlush(final int nsid, final CompletionHandler handler, final long token)
    {
        namespace(nsid);
        if (inFlight == capacity)
        {
            return false;
        }
        prepare(Opcodes.NVM_FLUSH, handler, token).namespaceId(nsid);
        commit();
        return true;
    }

    /** Tells the device about everything submitted since the last ring: one tail doorbell write. */
    public void ringDoorbell()
    {
        if (sqTail != lastRungTail)
        {
            // Entries are plain stores into DMA memory; they must be visible before the device sees the tail.
            VarHandle.releaseFence();
            registers.write32(sqTailDoorbell, sqTail);
            lastRungTail = sqTail;
        }
    }

    /**
     * Rings the doorbell if needed, then reaps up to {@code maxCompletions} completions, calling each
     * command's handler, and writes the CQ head doorbell once.
     *
     * @return the number of completions reaped.
     */
    public int poll(final int maxCompletions)
    {
        ringDoorbell();
        return reap(maxCompletions);
    }

    /** Reaps without ringing first: for a queue being deleted, whose doorbell must no longer be written. */
    int reap(final int maxCompletions)
    {
        device.poll(id);
        int reaped = 0;
        try
        {
            while (reaped < maxCompletions)
            {
                final int offset = cqHead * CompletionEntry.SIZE;
                cqe.wrap(cq, offset);
                final int statusPhase = cqe.statusPhaseVolatile();
                if (CompletionEntry.phaseOf(statusPhase) != cqPhase)
                {
                    break;
                }
                final int commandId = cqe.commandId();
                sqHead = cqe.sqHead();
                completionDw0 = cqe.dw0();
                if (++cqHead == entries)
                {
                    cqHead = 0;
                    cqPhase ^= 1;
                }
                reaped++;
                complete(commandId, CompletionEntry.statusOf(statusPhase));
            }
        }
        finally
        {
            if (reaped > 0)
            {
                registers.write32(cqHeadDoorbell, cqHead);
            }
        }
        return reaped;
    }

    /**
     * Answers every command still in flight with {@code status}, as if the device had: for a queue the
     * device has deleted (or a controller that was reset), whose commands will never complete.
     *
     * @return the number of commands answered.
     */
    int failOutstanding(final int status)
    {
        int answered = 0;
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            if (handlers[commandId] != null)
            {
                complete(commandId, status);
                answered++;
            }
        }
        return answered;
    }

    /** DW0 of the completion being handled: command-specific results (e.g. Set Features). */
    int completionDw0()
    {
        return completionDw0;
    }

    /** The device's last reported SQ head. */
    int sqHead()
    {
        return sqHead;
    }

    /** Claims a command id and the SQ slot at the tail; the caller fills the entry, then {@link #commit()}s. */
    SubmissionEntry prepare(final int opcode, final CompletionHandler handler, final long token)
    {
        final int commandId = freeCommandIds[--freeCount];
        handlers[commandId] = handler;
        tokens[commandId] = token;
        return sqe.wrap(sq, sqTail * SubmissionEntry.SIZE).clear().opcode(opcode).commandId(commandId);
    }

    void commit()
    {
        if (++sqTail == entries)
        {
            sqTail = 0;
        }
        inFlight++;
        submitted++;
    }

    void release()
    {
        sqRing.close();
        cqRing.close();
        if (prpLists != null)
        {
            prpLists.close();
        }
    }

    private boolean submitReadWrite(
        final int opcode, final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final int cdw12Flags, final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        final int length = checkTransfer(namespace, lba, blocks, buffer, offset);
        if (inFlight == capacity)
        {
            return false;
        }
        final SubmissionEntry entry = prepare(opcode, handler, token)
            .namespaceId(nsid)
            .startingLba(lba)
            .cdw(12, (blocks - 1) | cdw12Flags);
        final int listOffset = entry.commandId() * PrpBuilder.PAGE_SIZE;
        PrpBuilder.describe(entry, buffer.iova() + offset, length, lists, listOffset, prpLists.iova() + listOffset);
        commit();
        return true;
    }

    private NamespaceInfo namespace(final int nsid)
    {
        if (nsid <= 0 || nsid >= namespaces.length || namespaces[nsid] == null)
        {
            throw new InvalidRequestException("Invalid Namespace: namespace " + nsid + " is not an active namespace");
        }
        return namespaces[nsid];
    }

    private int checkTransfer(
        final NamespaceInfo namespace, final long lba, final int blocks, final DmaBuffer buffer, final int offset)
    {
        if (blocks < 1 || blocks > 65536)
        {
            throw new InvalidRequestException("block count must be 1..65536, not " + blocks);
        }
        if (lba < 0 || lba > namespace.blocks() - blocks)
        {
            throw new InvalidRequestException("LBA Out of Range: blocks " + lba + ".." + (lba + blocks - 1)
                + " lie past the end of namespace " + namespace.nsid() + " (" + namespace.blocks() + " blocks)");
        }
        final long length = (long)blocks * namespace.blockSize();
        if (length > maxTransferBytes)
        {
            throw new InvalidRequestException("a transfer of " + length + " bytes exceeds the largest this controller"
                + " takes in one command (" + maxTransferBytes + " bytes)");
        }
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given for a transfer of " + length + " bytes");
        }
        if (offset < 0 || offset > buffer.capacity() - length)
        {
            throw new InvalidRequestException("buffer of " + buffer.capacity() + " bytes from offset " + offset
                + " is smaller than the transfer of " + length + " bytes");
        }
        if ((offset & 3) != 0)
        {
            throw new InvalidRequestException("buffer offset " + offset + " is not dword-aligned, as PRP1 must be");
        }
        return (int)length;
    }

    private void complete(final int commandId, final int status)
    {
        if (commandId >= capacity || handlers[commandId] == null)
        {
            strayCompletions++;
            return;
        }
        final CompletionHandler handler = handlers[commandId];
        final long token = tokens[commandId];
        handlers[commandId] = null;
        freeCommandIds[freeCount++] = commandId;
        inFlight--;
        completed++;
        if (!Status.isSuccess(status))
        {
            failed++;
        }
        // The slot is free before the handler runs, so the handler may submit into it.
        handler.onCompletion(token, status);
    }
}
