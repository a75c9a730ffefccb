package io.nvmeq.engine;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * One I/O submission queue and its completion queue, owned by a single thread: it submits, rings the
 * doorbell and polls; nothing here is locked. This file holds the rings, the command table and the reap
 * (SPDK's nvme_qpair.c); the NVM commands are encoded by {@link NamespaceCommands}, the data paths chosen
 * by {@link BufferPaths}, deadlines and reconnection handled by {@link QueueRecovery}. Everything a
 * command needs is pre-allocated per command id (its PRP list pages, a copy of its entry for
 * resubmission, its deadline), so steady-state I/O allocates nothing.
 *
 * <p><b>Requests and commands.</b> A request (one submit call, one answer) becomes one or more commands:
 * transfers larger than the queue's transfer limit (MDTS, capped by the driver) are split, and the
 * request is answered once, when all its commands are done, with the first error if any. The request
 * table keeps the caller's token and attachment and hands them back with the answer.
 *
 * <p><b>Doorbells.</b> Submissions only move the tail; {@link #ringDoorbell()} writes it once per batch,
 * and {@link #poll(int)} writes the CQ head once per reap, never the same value twice. At most
 * {@link #capacity()} commands are in flight, so the SQ never overflows whatever the device's pace.
 *
 * <p><b>Errors and resets.</b> A retryable error (no DNR) is resubmitted up to the retry bound. While a
 * controller reset runs, the queue rings nothing and a submit returns false (the caller keeps the
 * request); the next poll after the reset reconnects the queue. Every command is answered exactly once,
 * and never before the device has stopped using its memory.
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
    private final QueueRings rings;
    private final UnsafeBuffer sq;
    private final long maxTransferBytes;
    private final int maxRetries;
    private final SubmissionEntry sqe = new SubmissionEntry();
    private final IoCounters counters;
    private final NamespaceCommands commands;
    private final BufferPaths buffers;
    private final CompletionInterrupt interrupt;
    final QueueRecovery recovery;

    /** The commands in flight by id (read and written by QueueRecovery too). */
    final CommandTable table;
    /** Command id held by each SQ slot since its submission, to start its deadline at the ring. */
    private final int[] sqSlotCommand;
    private final RequestTable requests;

    private int lastRungTail; // the SQ tail as last rung: the device was told of every entry before it
    private int inFlight;
    boolean retriesAllowed = true; // false once the queue is being deleted

    QueuePair(final QueuePairContext context)
    {
        this.id = context.id();
        this.entries = context.entries();
        this.capacity = entries - 1;
        this.device = context.device();
        this.registers = device.registers();
        this.sqTailDoorbell = Registers.sqTailDoorbell(id, context.doorbellStrideShift());
        this.cqHeadDoorbell = Registers.cqHeadDoorbell(id, context.doorbellStrideShift());
        this.sqRing = context.sqRing();
        this.cqRing = context.cqRing();
        this.prpLists = context.prpLists();
        this.rings = new QueueRings(entries, sqRing.buffer(), cqRing.buffer());
        this.sq = rings.sq();
        this.maxTransferBytes = context.maxTransferBytes();
        this.maxRetries = context.maxRetries();
        this.counters = context.counters();
        this.interrupt = context.interrupt();

        this.table = new CommandTable(capacity);
        this.sqSlotCommand = new int[entries];
        this.requests = new RequestTable(capacity);

        this.commands = new NamespaceCommands(this, context.namespaces(), prpLists, context.listBytesPerCommand());
        this.buffers = new BufferPaths(this, commands, context.iovaSpace(), context.bounce(), counters,
            maxTransferBytes);
        this.recovery = new QueueRecovery(this, context.host(), counters, context.timeoutNanos(), maxRetries);
    }

    /** The I/O queue id (1..). */
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

    /** Commands in flight (a split request counts each of its commands). */
    public int inFlight()
    {
        return inFlight;
    }

    public boolean isFull()
    {
        return inFlight == capacity;
    }

    /** The most bytes one command carries on this queue; larger requests are split. */
    public long maxTransferBytes()
    {
        return maxTransferBytes;
    }

    /** Requests submitted (on this queue pair's set of counters, which may have served earlier queues). */
    public long submittedCount()
    {
        return counters.requests();
    }

    /** Requests submitted and not yet answered (a split request counts once). */
    public int requestsInFlight()
    {
        return requests.inUse();
    }

    /** Completions whose command id was not in flight: a device bug, counted and dropped. */
    public long strayCompletionCount()
    {
        return counters.strayCompletions();
    }

    /** Per-path, split, retry, timeout and recovery counters (the set given at creation); from any thread. */
    public IoCounters counters()
    {
        return counters;
    }

    // ---------------------------------------------------------------- submission
    // Each returns false when command slots (or bounce buffers) are short now, or a controller reset is
    // under way: nothing was submitted. Bad input throws InvalidRequestException before anything reaches
    // the device. See BufferPaths for the data paths of each kind of buffer.

    /** Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}, zero-copy. */
    public <T> boolean submitRead(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return buffers.submitDmaBuffer(
            Opcodes.NVM_READ, nsid, lba, blocks, buffer, offset, 0, handler, token, attachment);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}, zero-copy;
     * with {@code fua} the data is on non-volatile media when the command completes.
     */
    public <T> boolean submitWrite(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset, final boolean fua,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return buffers.submitDmaBuffer(
            Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, offset, fua ? Opcodes.RW_FUA : 0, handler, token, attachment);
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} from its position (which
     * is left unchanged). Registered direct memory is zero-copy, other direct memory is mapped for the
     * request, heap memory is bounced and copied in when the read completes.
     */
    public <T> boolean submitRead(
        final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        if (buffer != null && buffer.isReadOnly())
        {
            throw new InvalidRequestException("cannot read into a read-only buffer");
        }
        return buffers.submitByteBuffer(Opcodes.NVM_READ, nsid, lba, blocks, buffer, 0, handler, token, attachment);
    }

    /** Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} from its position (left unchanged). */
    public <T> boolean submitWrite(
        final int nsid, final long lba, final int blocks, final ByteBuffer buffer, final boolean fua,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return buffers.submitByteBuffer(
            Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, fua ? Opcodes.RW_FUA : 0, handler, token, attachment);
    }

    /** Commits the namespace's volatile write cache to non-volatile media. */
    public <T> boolean submitFlush(
        final int nsid, final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return commands.flush(nsid, handler, token, attachment);
    }

    /**
     * Write Zeroes (NVM command set 1.0 §3.2.8): {@code blocks} (1..65536) blocks from {@code lba} read as
     * zeroes afterwards; with {@code deallocate} the device may deallocate them; no data moves.
     */
    public <T> boolean submitWriteZeroes(
        final int nsid, final long lba, final int blocks, final boolean deallocate, final boolean fua,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return commands.writeZeroes(nsid, lba, blocks, deallocate, fua, handler, token, attachment);
    }

    /** Dataset Management, Deallocate (§3.2.3) of one range of {@code blocks} blocks from {@code lba}. */
    public <T> boolean submitDeallocate(
        final int nsid, final long lba, final long blocks,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return commands.deallocate(nsid, lba, blocks, handler, token, attachment);
    }

    /**
     * Dataset Management, Deallocate of {@code count} (1..256) ranges: {@code lbas[i]} and
     * {@code blockCounts[i]} (1..2^32-1 blocks each). All ranges are checked before anything is sent.
     */
    public <T> boolean submitDeallocate(
        final int nsid, final long[] lbas, final long[] blockCounts, final int count,
        final CompletionHandler<? super T> handler, final long token, final T attachment)
    {
        return commands.deallocate(nsid, lbas, blockCounts, count, handler, token, attachment);
    }

    // ---------------------------------------------------------------- doorbells and completions

    /** Tells the device about everything submitted since the last ring: one tail doorbell write. */
    public void ringDoorbell()
    {
        final int sqTail = rings.sqTail();
        if (sqTail == lastRungTail || !recovery.connected())
        {
            // Nothing new, or a reset is dropping or has dropped this queue: it is reconnected first.
            return;
        }
        // Entries are plain stores into DMA memory; they must be visible before the device sees the tail.
        VarHandle.releaseFence();
        if (!recovery.writeDoorbell(registers, sqTailDoorbell, sqTail))
        {
            return; // a reset began meanwhile: nothing was rung, the reconnect resubmits
        }
        final long deadline = System.nanoTime() + recovery.timeoutNanos();
        for (int slot = lastRungTail; slot != sqTail; slot = rings.next(slot))
        {
            table.deadline[sqSlotCommand[slot]] = deadline;
        }
        lastRungTail = sqTail;
    }

    /**
     * Reconnects the queue first if the controller was reset, rings the doorbell if needed, reaps up to
     * {@code maxCompletions} completions (calling each finished request's handler) with one CQ head
     * doorbell write, and now and then checks the deadlines of what is in flight.
     *
     * @return the number of completion entries reaped.
     */
    public int poll(final int maxCompletions)
    {
        if (!recovery.connected() && !recovery.reconnect())
        {
            return 0; // the reset is still under way: nothing to ring, nothing the device completes
        }
        ringDoorbell();
        final int reaped = reap(maxCompletions, true);
        recovery.afterReap(reaped, inFlight);
        return reaped;
    }

    /**
     * Reaps without ringing first: for a queue being deleted, whose SQ doorbell must no longer be written
     * (nor its CQ head doorbell, if a reset dropped it since); nothing while it is reconnected in place
     * (its CQ is then the reconnection's to take, see {@link QueueRecovery#reconnect}).
     */
    public int reap(final int maxCompletions)
    {
        return recovery.detached() ? 0 : reap(maxCompletions, recovery.connected());
    }

    /** The completion queue's interrupt (its vector's eventfd), or null if it was created with interrupts off. */
    public CompletionInterrupt interrupt()
    {
        return interrupt;
    }

    /**
     * Whether a completion is waiting at the CQ head, without reaping it (after the emulated device's
     * tick): the look after {@link CompletionInterrupt#arm()} that decides whether its owner may sleep.
     */
    public boolean completionWaiting()
    {
        device.poll(id);
        return rings.headStatusPhase() != QueueRings.NOTHING_POSTED;
    }

    int reap(final int maxCompletions, final boolean writeHead)
    {
        device.poll(id);
        int reaped = 0;
        try
        {
            while (reaped < maxCompletions)
            {
                final int statusPhase = rings.headStatusPhase();
                if (statusPhase == QueueRings.NOTHING_POSTED)
                {
                    break;
                }
                final int commandId = rings.head().commandId();
                rings.consumeHead();
                reaped++;
                onCompletion(commandId, CompletionEntry.statusOf(statusPhase));
            }
        }
        finally
        {
            if (reaped > 0 && writeHead)
            {
                recovery.writeDoorbell(registers, cqHeadDoorbell, rings.cqHead());
            }
        }
        return reaped;
    }

    /** Answers every command in flight with {@code status}, without retries: the device deleted the queue. */
    void failOutstanding(final int status)
    {
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            if (table.request[commandId] != CommandTable.NONE)
            {
                finishCommand(commandId, status);
            }
        }
    }

    /** No more retries: the queue is being deleted. */
    void stopRetrying()
    {
        retriesAllowed = false;
    }

    long sqIova()
    {
        return sqRing.iova();
    }

    long cqIova()
    {
        return cqRing.iova();
    }

    /** Forgets all ring state, as the device does on a reset ({@link QueueRings#reset}); commands stay outstanding. */
    void resetRings()
    {
        rings.reset();
        lastRungTail = 0;
    }

    void release()
    {
        sqRing.close();
        cqRing.close();
        prpLists.close();
        buffers.release();
    }

    // ---------------------------------------------------------------- requests and commands

    /** Checks the handler and the controller, reconnects after a reset. @return false while a reset is under way */
    boolean usable(final CompletionHandler<?> handler)
    {
        if (handler == null)
        {
            throw new InvalidRequestException("no completion handler given");
        }
        final boolean connected = recovery.connected() || recovery.reconnect();
        if (recovery.dead())
        {
            throw new ControllerFatalException("queue pair " + id + " is gone: its controller failed and could not be reset");
        }
        return connected;
    }

    int freeCommands()
    {
        return table.freeCount();
    }

    int beginRequest(
        final CompletionHandler<?> handler, final long token, final Object attachment, final int parts,
        final long temporaryIova)
    {
        counters.requests.increment();
        return requests.begin(handler, token, attachment, parts, temporaryIova);
    }

    /** {@code request} holds {@code buffer}, acquired for it, until it is answered. */
    void holdBuffer(final int request, final MappedMemory buffer)
    {
        requests.hold(request, buffer);
    }

    /** Claims a command id and the SQ slot at the tail for part of {@code request}; then {@link #commit()}. */
    SubmissionEntry prepareCommand(final int opcode, final int request)
    {
        final int commandId = table.claim(request);
        sqSlotCommand[rings.sqTail()] = commandId;
        final int offset = rings.tailOffset();
        return sqe.wrap(sq, offset).clear().opcode(opcode).commandId(commandId);
    }

    /** Makes the entry at the tail part of the SQ (and keeps a copy of it for resubmission). */
    void commit()
    {
        final int commandId = sqSlotCommand[rings.sqTail()];
        table.save(commandId, sq, rings.tailOffset());
        rings.advanceTail();
        inFlight++;
    }

    /** Puts a command's saved entry back at the SQ tail; it stays in flight under the same id. */
    void resubmit(final int commandId)
    {
        table.restore(commandId, sq, rings.tailOffset());
        sqSlotCommand[rings.sqTail()] = commandId;
        table.deadline[commandId] = CommandTable.NOT_RUNG;
        table.aborted[commandId] = false;
        rings.advanceTail();
    }

    void finishCommand(final int commandId, final int status)
    {
        final int request = table.request[commandId];
        buffers.commandDone(commandId, status);
        table.release(commandId);
        inFlight--;
        if (requests.partDone(request, status))
        {
            final long temporaryIova = requests.temporaryIova(request);
            if (temporaryIova != IovaSpace.NO_IOVA)
            {
                buffers.releaseTemporary(temporaryIova);
            }
            requests.answer(request);
        }
    }

    /** The one place that decides a retry: an error without DNR, within the bound, on a queue not being deleted. */
    private void onCompletion(final int commandId, final int status)
    {
        if (!table.inFlight(commandId))
        {
            counters.strayCompletions.increment();
            return;
        }
        if (!Status.isSuccess(status) && !Status.doNotRetry(status) && retriesAllowed
            && (recovery.recovering() || table.retries[commandId] < maxRetries))
        {
            if (recovery.recovering())
            {
                // The queue is being reconnected (e.g. aborted by its deletion): resubmitted with the others,
                // or answered as they are.
                return;
            }
            table.retries[commandId]++;
            counters.retries.increment();
            resubmit(commandId);
            return;
        }
        finishCommand(commandId, status);
    }
}
