package io.nvmeq.engine;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
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
 * doorbell and polls; nothing here is locked. Everything a command needs is pre-allocated per command
 * id (its PRP list pages, a copy of its entry for resubmission, its deadline), so steady-state I/O
 * allocates nothing.
 *
 * <p><b>Requests and commands.</b> A request (one submit call, one answer) becomes one or more commands:
 * transfers larger than the queue's transfer limit (MDTS, capped by the driver) are split, and the
 * request is answered once, when all its commands are done, with the first error if any.
 *
 * <p><b>Buffers.</b> {@link DmaBuffer}s and registered memory go to the device zero-copy; other direct
 * {@link ByteBuffer}s get a temporary IOVA mapping for the request; heap buffers and memory that breaks
 * the PRP rules (a start that is not dword-aligned) go through a bounce buffer of this queue, copied back
 * when a read completes. {@link #counters()} counts each path.
 *
 * <p><b>Doorbells.</b> Submissions only move the tail; {@link #ringDoorbell()} writes it once per batch,
 * and {@link #poll(int)} writes the CQ head once per reap, never the same value twice. At most
 * {@link #capacity()} commands are in flight, so the SQ never overflows whatever the device's pace.
 *
 * <p><b>Deadlines and recovery.</b> Each command's deadline starts when its doorbell is rung. {@link #poll}
 * checks the deadlines of commands in flight now and then (and CSTS with them): an expired command is
 * looked for in the CQ once more, then aborted (Abort admin command) and given a second deadline; if that
 * passes too, or the controller reports a fatal status, the controller is reset. A reset is
 * controller-wide but each queue belongs to its owner thread, so the hand-off is: the thread that
 * resets (any) disables and re-enables the controller and bumps its generation; each owner, on its next
 * poll, sees the new generation and recovers its own queue on its own thread: reaps what the CQ still
 * holds, clears its rings, re-creates its queues through the admin queue, resubmits each outstanding
 * command (up to the retry bound) and fails the rest with a {@link HostStatus}. Every command is answered
 * exactly once, and never before the device has stopped using its memory.
 */
public final class QueuePair
{
    private static final int NONE = -1;
    private static final long NOT_RUNG = Long.MIN_VALUE;
    private static final int POLLS_PER_DEADLINE_CHECK = 16;
    /** Write Zeroes CDW12 bit 25: Deallocate (NVM command set 1.0 §3.2.8). */
    private static final int WZ_DEALLOCATE = 1 << 25;
    /** Dataset Management CDW11 bit 2: Attribute - Deallocate (§3.2.3). */
    private static final int DSM_DEALLOCATE = 1 << 2;
    private static final int DSM_MAX_RANGES = 256;
    private static final int DSM_RANGE_BYTES = 16;
    /** NLB is a 16-bit zero-based field: one command moves at most 65536 blocks. */
    private static final int MAX_BLOCKS_PER_COMMAND = 65536;

    private final int id;
    private final int entries;
    private final int capacity;
    private final NvmeDevice device;
    private final RegisterSpace registers;
    private final NvmeController controller;
    private final IovaSpace iovaSpace;
    private final int sqTailDoorbell;
    private final int cqHeadDoorbell;
    private final DmaBuffer sqRing;
    private final DmaBuffer cqRing;
    private final DmaBuffer prpLists;
    private final BouncePool bounce;
    private final UnsafeBuffer sq;
    private final UnsafeBuffer cq;
    private final UnsafeBuffer lists;
    private final int listBytesPerCommand;
    private final NamespaceInfo[] namespaces;
    private final long maxTransferBytes;
    private final long timeoutNanos;
    private final long deadlineScanNanos;
    private final int maxRetries;

    private final SubmissionEntry sqe = new SubmissionEntry();
    private final CompletionEntry cqe = new CompletionEntry();
    private final IoCounters counters = new IoCounters();

    // Per command id.
    private final int[] cmdRequest;
    private final int[] cmdSequence;
    private final long[] cmdDeadline;
    private final int[] cmdRetries;
    private final boolean[] cmdAborted;
    private final boolean[] cmdTimedOut;
    private final int[] cmdBounceSlot;
    private final ByteBuffer[] cmdCopyTarget;
    private final int[] cmdCopyIndex;
    private final int[] cmdCopyLength;
    /** The entry as submitted, for resubmission after an error or a reset. */
    private final UnsafeBuffer shadow;
    private final int[] freeCommandIds;
    private int freeCommandCount;
    /** Command id held by each SQ slot since its submission, to start its deadline at the ring. */
    private final int[] sqSlotCommand;

    // Per request.
    private final CompletionHandler[] reqHandler;
    private final long[] reqToken;
    private final int[] reqPartsLeft;
    private final int[] reqStatus;
    private final long[] reqTemporaryIova;
    /** The DmaBuffer each request holds open until it is answered (see DmaBuffer#acquire). */
    private final DmaBuffer[] reqBuffer;
    private final int[] freeRequests;
    private int freeRequestCount;

    private int sqTail;
    private int lastRungTail;
    private int sqHead;
    private int cqHead;
    private int cqPhase = 1;
    private int inFlight;
    private int completionDw0;
    private int generation;
    private boolean retriesAllowed = true;
    private boolean recovering;
    private boolean dead;
    private int pollsSinceDeadlineCheck;
    private long nextDeadlineScan;

    private long submitted;
    private long completed;
    private long failed;
    private long strayCompletions;

    private QueuePair(
        final int id,
        final int entries,
        final NvmeDevice device,
        final NvmeController controller,
        final IovaSpace iovaSpace,
        final int doorbellStrideShift,
        final DmaBuffer sqRing,
        final DmaBuffer cqRing,
        final DmaBuffer prpLists,
        final int listBytesPerCommand,
        final BouncePool bounce,
        final NamespaceInfo[] namespaces,
        final long maxTransferBytes,
        final long timeoutNanos,
        final int maxRetries,
        final int generation)
    {
        this.id = id;
        this.entries = entries;
        this.capacity = entries - 1;
        this.device = device;
        this.registers = device.registers();
        this.controller = controller;
        this.iovaSpace = iovaSpace;
        this.sqTailDoorbell = Registers.sqTailDoorbell(id, doorbellStrideShift);
        this.cqHeadDoorbell = Registers.cqHeadDoorbell(id, doorbellStrideShift);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.prpLists = prpLists;
        this.listBytesPerCommand = listBytesPerCommand;
        this.bounce = bounce;
        this.sq = sqRing.buffer();
        this.cq = cqRing.buffer();
        this.lists = prpLists == null ? null : prpLists.buffer();
        this.namespaces = namespaces;
        this.maxTransferBytes = maxTransferBytes;
        this.timeoutNanos = timeoutNanos;
        this.deadlineScanNanos = Math.max(1_000_000L, Math.min(timeoutNanos / 4, 100_000_000L));
        this.maxRetries = maxRetries;
        this.generation = generation;

        this.cmdRequest = new int[capacity];
        this.cmdSequence = new int[capacity];
        this.cmdDeadline = new long[capacity];
        this.cmdRetries = new int[capacity];
        this.cmdAborted = new boolean[capacity];
        this.cmdTimedOut = new boolean[capacity];
        this.cmdBounceSlot = new int[capacity];
        this.cmdCopyTarget = new ByteBuffer[capacity];
        this.cmdCopyIndex = new int[capacity];
        this.cmdCopyLength = new int[capacity];
        this.shadow = new UnsafeBuffer(new byte[capacity * SubmissionEntry.SIZE]);
        this.freeCommandIds = new int[capacity];
        this.sqSlotCommand = new int[entries];
        this.reqHandler = new CompletionHandler[capacity];
        this.reqToken = new long[capacity];
        this.reqPartsLeft = new int[capacity];
        this.reqStatus = new int[capacity];
        this.reqTemporaryIova = new long[capacity];
        this.reqBuffer = new DmaBuffer[capacity];
        this.freeRequests = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeCommandIds[i] = capacity - 1 - i;
            freeRequests[i] = capacity - 1 - i;
            cmdRequest[i] = NONE;
            cmdBounceSlot[i] = NONE;
        }
        this.freeCommandCount = capacity;
        this.freeRequestCount = capacity;
    }

    /** The admin queue pair: no PRP lists, no bounce buffers, no retries; the controller resets it itself. */
    static QueuePair admin(
        final int entries, final NvmeDevice device, final int doorbellStrideShift, final DmaBuffer sqRing,
        final DmaBuffer cqRing, final long timeoutNanos)
    {
        return new QueuePair(0, entries, device, null, null, doorbellStrideShift, sqRing, cqRing, null, 0, null,
            new NamespaceInfo[0], 0, timeoutNanos, 0, 0);
    }

    static QueuePair io(
        final int id, final int entries, final NvmeController controller, final IovaSpace iovaSpace,
        final int doorbellStrideShift, final DmaBuffer sqRing, final DmaBuffer cqRing, final DmaBuffer prpLists,
        final int listBytesPerCommand, final BouncePool bounce, final NamespaceInfo[] namespaces,
        final long maxTransferBytes, final long timeoutNanos, final int maxRetries, final int generation)
    {
        return new QueuePair(id, entries, controller.device(), controller, iovaSpace, doorbellStrideShift, sqRing,
            cqRing, prpLists, listBytesPerCommand, bounce, namespaces, maxTransferBytes, timeoutNanos, maxRetries,
            generation);
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

    /** Requests submitted. */
    public long submittedCount()
    {
        return submitted;
    }

    /** Requests answered. */
    public long completedCount()
    {
        return completed;
    }

    /** Requests answered with an error. */
    public long failedCount()
    {
        return failed;
    }

    /** Completions whose command id was not in flight: a device bug, counted and dropped. */
    public long strayCompletionCount()
    {
        return strayCompletions;
    }

    /** Per-path, split, retry, timeout and recovery counters; read them on the owner thread. */
    public IoCounters counters()
    {
        return counters;
    }

    // ---------------------------------------------------------------- submission: DmaBuffer (zero-copy)

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}.
     *
     * @return false when the queue has too few free command slots: nothing was submitted.
     * @throws InvalidRequestException on bad input, before anything reaches the device.
     */
    public boolean submitRead(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final CompletionHandler handler, final long token)
    {
        return submitDmaBuffer(Opcodes.NVM_READ, nsid, lba, blocks, buffer, offset, 0, handler, token);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}; with
     * {@code fua} the data is on non-volatile media when the command completes.
     *
     * @return false when the queue has too few free command slots: nothing was submitted.
     * @throws InvalidRequestException on bad input, before anything reaches the device.
     */
    public boolean submitWrite(
        final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset, final boolean fua,
        final CompletionHandler handler, final long token)
    {
        return submitDmaBuffer(
            Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, offset, fua ? Opcodes.RW_FUA : 0, handler, token);
    }

    // ---------------------------------------------------------------- submission: any ByteBuffer

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} from its position (which
     * is left unchanged). Registered direct memory is zero-copy, other direct memory is mapped for the
     * request, heap memory is bounced and copied in when the read completes.
     *
     * @return false when command slots or bounce buffers are short now: nothing was submitted.
     * @throws InvalidRequestException on bad input (read-only buffer, too few bytes remaining, ...).
     */
    public boolean submitRead(
        final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final CompletionHandler handler, final long token)
    {
        if (buffer != null && buffer.isReadOnly())
        {
            throw new InvalidRequestException("cannot read into a read-only buffer");
        }
        return submitByteBuffer(Opcodes.NVM_READ, nsid, lba, blocks, buffer, 0, handler, token);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} from its position (which is
     * left unchanged); see {@link #submitRead(int, long, int, ByteBuffer, CompletionHandler, long)} for
     * the buffer paths.
     */
    public boolean submitWrite(
        final int nsid, final long lba, final int blocks, final ByteBuffer buffer, final boolean fua,
        final CompletionHandler handler, final long token)
    {
        return submitByteBuffer(
            Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, fua ? Opcodes.RW_FUA : 0, handler, token);
    }

    // ---------------------------------------------------------------- submission: no data

    /**
     * Commits the namespace's volatile write cache to non-volatile media.
     *
     * @return false when the queue is full: nothing was submitted.
     */
    public boolean submitFlush(final int nsid, final CompletionHandler handler, final long token)
    {
        namespace(nsid);
        checkUsable(handler);
        if (freeCommandCount == 0)
        {
            return false;
        }
        final int request = beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        prepareCommand(Opcodes.NVM_FLUSH, request).namespaceId(nsid);
        commit();
        return true;
    }

    /**
     * Write Zeroes (NVM command set 1.0 §3.2.8): {@code blocks} (1..65536) blocks from {@code lba} read as
     * zeroes afterwards; with {@code deallocate} the device may deallocate them; no data moves.
     */
    public boolean submitWriteZeroes(
        final int nsid, final long lba, final int blocks, final boolean deallocate, final boolean fua,
        final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        if (blocks < 1 || blocks > 65536)
        {
            throw new InvalidRequestException("Write Zeroes takes 1..65536 blocks, not " + blocks);
        }
        checkRange(namespace, lba, blocks);
        checkUsable(handler);
        if (freeCommandCount == 0)
        {
            return false;
        }
        final int request = beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        prepareCommand(Opcodes.NVM_WRITE_ZEROES, request)
            .namespaceId(nsid)
            .startingLba(lba)
            .cdw(12, (blocks - 1) | (deallocate ? WZ_DEALLOCATE : 0) | (fua ? Opcodes.RW_FUA : 0));
        commit();
        return true;
    }

    /** Dataset Management, Deallocate (§3.2.3) of one range of {@code blocks} blocks from {@code lba}. */
    public boolean submitDeallocate(
        final int nsid, final long lba, final long blocks, final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        checkRange(namespace, lba, blocks);
        final long rangeMax = 0xFFFF_FFFFL;
        final int ranges = (int)((blocks + rangeMax - 1) / rangeMax);
        if (ranges > DSM_MAX_RANGES)
        {
            throw new InvalidRequestException("a deallocation of " + blocks + " blocks needs more than 256 ranges");
        }
        checkUsable(handler);
        if (freeCommandCount == 0)
        {
            return false;
        }
        final int request = beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        final SubmissionEntry entry = prepareCommand(Opcodes.NVM_DATASET_MANAGEMENT, request);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        long left = blocks;
        long at = lba;
        for (int i = 0; i < ranges; i++)
        {
            final long length = Math.min(left, rangeMax);
            putRange(listOffset, i, at, length);
            at += length;
            left -= length;
        }
        finishDeallocate(entry, nsid, ranges, listOffset);
        return true;
    }

    /**
     * Dataset Management, Deallocate of {@code count} (1..256) ranges: {@code lbas[i]} and
     * {@code blockCounts[i]} (1..2^32-1 blocks each). All ranges are checked before anything is sent.
     */
    public boolean submitDeallocate(
        final int nsid, final long[] lbas, final long[] blockCounts, final int count,
        final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        if (lbas == null || blockCounts == null || count < 1 || count > DSM_MAX_RANGES
            || count > lbas.length || count > blockCounts.length)
        {
            throw new InvalidRequestException("Dataset Management takes 1..256 ranges given in two arrays, not "
                + count);
        }
        for (int i = 0; i < count; i++)
        {
            if (blockCounts[i] > 0xFFFF_FFFFL)
            {
                throw new InvalidRequestException("range " + i + " of " + blockCounts[i] + " blocks exceeds 2^32-1");
            }
            checkRange(namespace, lbas[i], blockCounts[i]);
        }
        checkUsable(handler);
        if (freeCommandCount == 0)
        {
            return false;
        }
        final int request = beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        final SubmissionEntry entry = prepareCommand(Opcodes.NVM_DATASET_MANAGEMENT, request);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        for (int i = 0; i < count; i++)
        {
            putRange(listOffset, i, lbas[i], blockCounts[i]);
        }
        finishDeallocate(entry, nsid, count, listOffset);
        return true;
    }

    private void putRange(final int listOffset, final int index, final long lba, final long blocks)
    {
        final int at = listOffset + index * DSM_RANGE_BYTES;
        lists.putInt(at, 0);
        lists.putInt(at + 4, (int)blocks);
        lists.putLong(at + 8, lba);
    }

    private void finishDeallocate(final SubmissionEntry entry, final int nsid, final int ranges, final int listOffset)
    {
        // The ranges live in the command's own PRP list page: 256 ranges of 16 bytes fill exactly one page.
        entry.namespaceId(nsid)
            .prp1(prpLists.iova() + listOffset)
            .cdw(10, ranges - 1)
            .cdw(11, DSM_DEALLOCATE);
        commit();
    }

    // ---------------------------------------------------------------- doorbells and completions

    /** Tells the device about everything submitted since the last ring: one tail doorbell write. */
    public void ringDoorbell()
    {
        if (sqTail == lastRungTail)
        {
            return;
        }
        if (controller != null && controller.generation() != generation)
        {
            // The device dropped this queue in a reset; the next poll re-creates it and resubmits.
            return;
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        for (int slot = lastRungTail; slot != sqTail; slot = slot + 1 == entries ? 0 : slot + 1)
        {
            cmdDeadline[sqSlotCommand[slot]] = deadline;
        }
        // Entries are plain stores into DMA memory; they must be visible before the device sees the tail.
        VarHandle.releaseFence();
        registers.write32(sqTailDoorbell, sqTail);
        lastRungTail = sqTail;
    }

    /**
     * Recovers the queue first if the controller was reset, rings the doorbell if needed, reaps up to
     * {@code maxCompletions} completions (calling each finished request's handler) with one CQ head
     * doorbell write, and now and then checks the deadlines of what is in flight.
     *
     * @return the number of completion entries reaped.
     */
    public int poll(final int maxCompletions)
    {
        if (controller != null && controller.generation() != generation)
        {
            recover();
        }
        ringDoorbell();
        final int reaped = reap(maxCompletions);
        if (controller != null && inFlight > 0
            && (reaped == 0 || ++pollsSinceDeadlineCheck >= POLLS_PER_DEADLINE_CHECK))
        {
            pollsSinceDeadlineCheck = 0;
            checkDeadlines();
        }
        return reaped;
    }

    /** Reaps without ringing first: for a queue being deleted, whose doorbell must no longer be written. */
    int reap(final int maxCompletions)
    {
        return reap(maxCompletions, true);
    }

    private int reap(final int maxCompletions, final boolean writeHead)
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
                onCompletion(commandId, CompletionEntry.statusOf(statusPhase));
            }
        }
        finally
        {
            if (reaped > 0 && writeHead)
            {
                registers.write32(cqHeadDoorbell, cqHead);
            }
        }
        return reaped;
    }

    /**
     * Answers every command still in flight with {@code status}, without retries: for a queue the device
     * has deleted, whose commands will never complete.
     *
     * @return the number of commands answered.
     */
    int failOutstanding(final int status)
    {
        int answered = 0;
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            if (cmdRequest[commandId] != NONE)
            {
                finishCommand(commandId, status);
                answered++;
            }
        }
        return answered;
    }

    /** Whether the queue's device queues belong to controller generation {@code current} (no reset since). */
    boolean isCurrent(final int current)
    {
        return generation == current;
    }

    /** No more retries: the queue is being deleted. */
    void stopRetrying()
    {
        retriesAllowed = false;
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

    long sqIova()
    {
        return sqRing.iova();
    }

    long cqIova()
    {
        return cqRing.iova();
    }

    /** Claims a command id and the SQ slot at the tail for a one-command request; the caller fills the entry, then {@link #commit()}s. */
    SubmissionEntry prepare(final int opcode, final CompletionHandler handler, final long token)
    {
        final int request = beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        return prepareCommand(opcode, request);
    }

    /** Makes the entry at the tail part of the SQ (and keeps a copy of it for resubmission). */
    void commit()
    {
        final int commandId = sqSlotCommand[sqTail];
        copyEntry(shadow, commandId * SubmissionEntry.SIZE, sq, sqTail * SubmissionEntry.SIZE);
        if (++sqTail == entries)
        {
            sqTail = 0;
        }
        inFlight++;
    }

    /**
     * Forgets all ring state, as the device does on a controller reset: both rings zeroed (so no old
     * phase tag can pass for a new completion), indices back to 0, phase 1. Commands stay outstanding.
     */
    void resetRings()
    {
        sq.setMemory(0, sq.capacity(), (byte)0);
        cq.setMemory(0, cq.capacity(), (byte)0);
        sqTail = 0;
        lastRungTail = 0;
        sqHead = 0;
        cqHead = 0;
        cqPhase = 1;
    }

    void release()
    {
        sqRing.close();
        cqRing.close();
        if (prpLists != null)
        {
            prpLists.close();
        }
        if (bounce != null)
        {
            bounce.close();
        }
    }

    // ---------------------------------------------------------------- transfers

    private boolean submitDmaBuffer(
        final int opcode, final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final int cdw12Flags, final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        final long length = checkTransfer(namespace, lba, blocks);
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
        checkUsable(handler);
        final int partBlocks = partBlocks(maxTransferBytes, namespace.blockSize());
        final int parts = partsFor(blocks, partBlocks);
        if (freeCommandCount < parts)
        {
            return false;
        }
        final DmaBuffer pinned = buffer.acquire(iovaSpace);
        counters.zeroCopy++;
        reqBuffer[submitParts(opcode, nsid, lba, blocks, namespace.blockSize(), partBlocks, parts, buffer.iova() + offset,
            cdw12Flags, handler, token, IovaSpace.NO_IOVA)] = pinned;
        return true;
    }

    private boolean submitByteBuffer(
        final int opcode, final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final int cdw12Flags, final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        final long length = checkTransfer(namespace, lba, blocks);
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given for a transfer of " + length + " bytes");
        }
        if (buffer.remaining() < length)
        {
            throw new InvalidRequestException("buffer has " + buffer.remaining() + " bytes remaining, fewer than the "
                + "transfer of " + length + " bytes");
        }
        checkUsable(handler);
        final int blockSize = namespace.blockSize();
        if (buffer.isDirect())
        {
            final long address = BufferUtil.address(buffer) + buffer.position();
            if ((address & 3) == 0)
            {
                final int partBlocks = partBlocks(maxTransferBytes, blockSize);
                final int parts = partsFor(blocks, partBlocks);
                if (freeCommandCount < parts)
                {
                    return false;
                }
                final long registered = iovaSpace.lookup(address, length);
                if (registered != IovaSpace.NO_IOVA)
                {
                    counters.zeroCopy++;
                    submitParts(opcode, nsid, lba, blocks, blockSize, partBlocks, parts, registered, cdw12Flags,
                        handler, token, IovaSpace.NO_IOVA);
                    return true;
                }
                final long temporary = iovaSpace.mapTemporary(address, length);
                if (temporary != IovaSpace.NO_IOVA)
                {
                    counters.temporary++;
                    submitParts(opcode, nsid, lba, blocks, blockSize, partBlocks, parts, temporary, cdw12Flags,
                        handler, token, temporary);
                    return true;
                }
                counters.temporaryExhausted++;
            }
            else
            {
                counters.unaligned++;
            }
        }
        return submitBounced(opcode, nsid, lba, blocks, blockSize, buffer, cdw12Flags, handler, token);
    }

    private boolean submitBounced(
        final int opcode, final int nsid, final long lba, final int blocks, final int blockSize, final ByteBuffer buffer,
        final int cdw12Flags, final CompletionHandler handler, final long token)
    {
        if (bounce == null || bounce.slotBytes() < blockSize)
        {
            throw new InvalidRequestException("this buffer needs bouncing (heap memory, a start that is not "
                + "dword-aligned, or no temporary IOVA left) and this queue pair has no bounce buffers of "
                + blockSize + " bytes or more");
        }
        final int partBlocks = partBlocks(Math.min(maxTransferBytes, bounce.slotBytes()), blockSize);
        final int parts = partsFor(blocks, partBlocks);
        if (parts > bounce.slots())
        {
            throw new InvalidRequestException("a bounced transfer of " + blocks + " blocks needs " + parts
                + " bounce buffers; this queue pair has " + bounce.slots());
        }
        if (freeCommandCount < parts || bounce.available() < parts)
        {
            return false;
        }
        counters.bounced++;
        final boolean read = opcode == Opcodes.NVM_READ;
        final int request = beginRequest(handler, token, parts, IovaSpace.NO_IOVA);
        if (parts > 1)
        {
            counters.split++;
        }
        int index = buffer.position();
        int done = 0;
        for (int part = 0; part < parts; part++)
        {
            final int partCount = Math.min(partBlocks, blocks - done);
            final int bytes = partCount * blockSize;
            final int slot = bounce.acquire();
            if (!read)
            {
                bounce.memory().putBytes(bounce.offset(slot), buffer, index, bytes);
            }
            final SubmissionEntry entry = prepareCommand(opcode, request);
            final int commandId = entry.commandId();
            cmdBounceSlot[commandId] = slot;
            if (read)
            {
                cmdCopyTarget[commandId] = buffer;
                cmdCopyIndex[commandId] = index;
                cmdCopyLength[commandId] = bytes;
            }
            describeReadWrite(entry, nsid, lba + done, partCount, cdw12Flags, bounce.iova(slot), bytes);
            commit();
            index += bytes;
            done += partCount;
        }
        return true;
    }

    /** @return the request */
    private int submitParts(
        final int opcode, final int nsid, final long lba, final int blocks, final int blockSize, final int partBlocks,
        final int parts, final long iova, final int cdw12Flags, final CompletionHandler handler, final long token,
        final long temporaryIova)
    {
        final int request = beginRequest(handler, token, parts, temporaryIova);
        if (parts > 1)
        {
            counters.split++;
        }
        int done = 0;
        for (int part = 0; part < parts; part++)
        {
            final int partCount = Math.min(partBlocks, blocks - done);
            final SubmissionEntry entry = prepareCommand(opcode, request);
            describeReadWrite(entry, nsid, lba + done, partCount, cdw12Flags, iova + (long)done * blockSize,
                partCount * blockSize);
            commit();
            done += partCount;
        }
        return request;
    }

    private void describeReadWrite(
        final SubmissionEntry entry, final int nsid, final long lba, final int blocks, final int cdw12Flags,
        final long iova, final int bytes)
    {
        entry.namespaceId(nsid).startingLba(lba).cdw(12, (blocks - 1) | cdw12Flags);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        PrpBuilder.describe(entry, iova, bytes, lists, listOffset, prpLists.iova() + listOffset);
    }

    private static int partBlocks(final long bytes, final int blockSize)
    {
        return (int)Math.min(MAX_BLOCKS_PER_COMMAND, bytes / blockSize);
    }

    private int partsFor(final int blocks, final int partBlocks)
    {
        final int parts = (blocks + partBlocks - 1) / partBlocks;
        if (parts > capacity)
        {
            throw new InvalidRequestException("a transfer of " + blocks + " blocks needs " + parts + " commands of at"
                + " most " + partBlocks + " blocks; this queue pair holds " + capacity);
        }
        return parts;
    }

    // ---------------------------------------------------------------- requests and commands

    private int beginRequest(
        final CompletionHandler handler, final long token, final int parts, final long temporaryIova)
    {
        final int request = freeRequests[--freeRequestCount];
        reqHandler[request] = handler;
        reqToken[request] = token;
        reqPartsLeft[request] = parts;
        reqStatus[request] = Status.SUCCESS;
        reqTemporaryIova[request] = temporaryIova;
        submitted++;
        return request;
    }

    private SubmissionEntry prepareCommand(final int opcode, final int request)
    {
        final int commandId = freeCommandIds[--freeCommandCount];
        cmdRequest[commandId] = request;
        cmdSequence[commandId]++;
        cmdDeadline[commandId] = NOT_RUNG;
        cmdRetries[commandId] = 0;
        cmdAborted[commandId] = false;
        cmdTimedOut[commandId] = false;
        sqSlotCommand[sqTail] = commandId;
        final int offset = sqTail * SubmissionEntry.SIZE;
        // Every reserved field must be zero: eight stores, cheaper than a call to fill 64 bytes.
        for (int i = 0; i < SubmissionEntry.SIZE; i += Long.BYTES)
        {
            sq.putLong(offset + i, 0L);
        }
        return sqe.wrap(sq, offset).opcode(opcode).commandId(commandId);
    }

    /** Copies one 64-byte entry with eight loads and stores (no call for so few bytes). */
    private static void copyEntry(
        final UnsafeBuffer to, final int toOffset, final UnsafeBuffer from, final int fromOffset)
    {
        for (int i = 0; i < SubmissionEntry.SIZE; i += Long.BYTES)
        {
            to.putLong(toOffset + i, from.getLong(fromOffset + i));
        }
    }

    private void onCompletion(final int commandId, final int status)
    {
        if (commandId >= capacity || cmdRequest[commandId] == NONE)
        {
            strayCompletions++;
            return;
        }
        if (!Status.isSuccess(status) && !Status.doNotRetry(status) && retriesAllowed
            && cmdRetries[commandId] < maxRetries)
        {
            if (recovering)
            {
                // The queue is being re-created: the command is resubmitted with the others.
                return;
            }
            cmdRetries[commandId]++;
            counters.retries++;
            resubmit(commandId);
            return;
        }
        finishCommand(commandId, status);
    }

    /** Puts a command's saved entry back at the SQ tail; it stays in flight under the same id. */
    private void resubmit(final int commandId)
    {
        copyEntry(sq, sqTail * SubmissionEntry.SIZE, shadow, commandId * SubmissionEntry.SIZE);
        sqSlotCommand[sqTail] = commandId;
        cmdDeadline[commandId] = NOT_RUNG;
        cmdAborted[commandId] = false;
        if (++sqTail == entries)
        {
            sqTail = 0;
        }
    }

    private void finishCommand(final int commandId, final int status)
    {
        final int request = cmdRequest[commandId];
        final int slot = cmdBounceSlot[commandId];
        if (slot != NONE)
        {
            final ByteBuffer target = cmdCopyTarget[commandId];
            if (target != null)
            {
                if (Status.isSuccess(status))
                {
                    bounce.memory().getBytes(bounce.offset(slot), target, cmdCopyIndex[commandId], cmdCopyLength[commandId]);
                }
                cmdCopyTarget[commandId] = null;
            }
            bounce.release(slot);
            cmdBounceSlot[commandId] = NONE;
        }
        cmdRequest[commandId] = NONE;
        freeCommandIds[freeCommandCount++] = commandId;
        inFlight--;
        if (!Status.isSuccess(status) && reqStatus[request] == Status.SUCCESS)
        {
            reqStatus[request] = status;
        }
        if (--reqPartsLeft[request] == 0)
        {
            finishRequest(request);
        }
    }

    private void finishRequest(final int request)
    {
        final long temporaryIova = reqTemporaryIova[request];
        if (temporaryIova != IovaSpace.NO_IOVA)
        {
            iovaSpace.releaseTemporary(temporaryIova);
        }
        final DmaBuffer pinned = reqBuffer[request];
        if (pinned != null)
        {
            reqBuffer[request] = null;
            pinned.release();
        }
        final CompletionHandler handler = reqHandler[request];
        final long token = reqToken[request];
        final int status = reqStatus[request];
        reqHandler[request] = null;
        freeRequests[freeRequestCount++] = request;
        completed++;
        if (!Status.isSuccess(status))
        {
            failed++;
        }
        // The slots are free before the handler runs, so the handler may submit into them.
        handler.onCompletion(token, status);
    }

    // ---------------------------------------------------------------- deadlines and recovery

    private void checkDeadlines()
    {
        final long now = System.nanoTime();
        if (now - nextDeadlineScan < 0)
        {
            return;
        }
        nextDeadlineScan = now + deadlineScanNanos;
        final int csts = controller.readStatus();
        if (csts == -1 || (csts & Registers.CSTS_CFS) != 0)
        {
            counters.fatalStatusSeen++;
            controller.reset(generation, csts == -1
                ? "CSTS reads all ones (surprise removal?)" : "controller fatal status (CSTS.CFS)");
            recover();
            return;
        }
        for (int commandId = 0; commandId < capacity; commandId++)
        {
            final long deadline = cmdDeadline[commandId];
            if (cmdRequest[commandId] != NONE && deadline != NOT_RUNG && now - deadline > 0)
            {
                if (expired(commandId, now))
                {
                    return;
                }
            }
        }
    }

    /** Linux's escalation for one expired command. @return true if the queue was recovered from a reset. */
    private boolean expired(final int commandId, final long now)
    {
        final int sequence = cmdSequence[commandId];
        // 1. Maybe only the completion was not seen yet.
        reap(capacity);
        if (cmdRequest[commandId] == NONE || cmdSequence[commandId] != sequence || cmdDeadline[commandId] == NOT_RUNG)
        {
            return false;
        }
        if (!cmdAborted[commandId])
        {
            // 2. Abort it and give it a second deadline to complete (aborted or not).
            cmdAborted[commandId] = true;
            cmdDeadline[commandId] = now + timeoutNanos;
            counters.aborts++;
            try
            {
                controller.abort(id, commandId);
                return false;
            }
            catch (final NvmeException ex)
            {
                cmdTimedOut[commandId] = true;
                counters.timeouts++;
                controller.reset(generation, "Abort of command " + commandId + " on queue " + id + " failed: "
                    + ex.getMessage());
                recover();
                return true;
            }
        }
        // 3. Still nothing: reset the controller.
        cmdTimedOut[commandId] = true;
        counters.timeouts++;
        controller.reset(generation, "command " + commandId + " on queue " + id + " timed out after Abort");
        recover();
        return true;
    }

    /**
     * Brings this queue back after a controller reset, on the owner's thread (see the class comment).
     * The device has stopped: nothing it could still write lands in our memory.
     */
    private void recover()
    {
        counters.recoveries++;
        recovering = true;
        try
        {
            // Completions the device posted before it stopped are real: take them.
            reap(capacity, false);
            resetRings();
            final int current;
            try
            {
                current = controller.recreate(this);
            }
            catch (final NvmeException ex)
            {
                dead = true;
                generation = controller.generation();
                failOutstanding(HostStatus.CONTROLLER_FAILED);
                return;
            }
            generation = current;
            for (int commandId = 0; commandId < capacity; commandId++)
            {
                if (cmdRequest[commandId] == NONE)
                {
                    continue;
                }
                if (cmdTimedOut[commandId])
                {
                    finishCommand(commandId, HostStatus.TIMED_OUT);
                }
                else if (retriesAllowed && cmdRetries[commandId] < maxRetries)
                {
                    cmdRetries[commandId]++;
                    counters.retries++;
                    resubmit(commandId);
                }
                else
                {
                    finishCommand(commandId, HostStatus.ABORTED_BY_RESET);
                }
            }
        }
        finally
        {
            recovering = false;
        }
    }

    // ---------------------------------------------------------------- checks

    private void checkUsable(final CompletionHandler handler)
    {
        if (handler == null)
        {
            throw new InvalidRequestException("no completion handler given");
        }
        if (dead)
        {
            throw new ControllerFatalException("queue pair " + id + " is gone: its controller failed and could not be reset");
        }
    }

    private NamespaceInfo namespace(final int nsid)
    {
        if (nsid <= 0 || nsid >= namespaces.length || namespaces[nsid] == null)
        {
            throw new InvalidRequestException("Invalid Namespace: namespace " + nsid + " is not an active namespace");
        }
        return namespaces[nsid];
    }

    private static void checkRange(final NamespaceInfo namespace, final long lba, final long blocks)
    {
        if (blocks < 1)
        {
            throw new InvalidRequestException("block count must be positive, not " + blocks);
        }
        if (lba < 0 || lba > namespace.blocks() - blocks)
        {
            throw new InvalidRequestException("LBA Out of Range: blocks " + lba + ".." + (lba + blocks - 1)
                + " lie past the end of namespace " + namespace.nsid() + " (" + namespace.blocks() + " blocks)");
        }
    }

    private static long checkTransfer(final NamespaceInfo namespace, final long lba, final int blocks)
    {
        checkRange(namespace, lba, blocks);
        final long length = (long)blocks * namespace.blockSize();
        if (length > Integer.MAX_VALUE)
        {
            throw new InvalidRequestException("a transfer of " + length + " bytes exceeds 2 GiB - 1");
        }
        return length;
    }
}
