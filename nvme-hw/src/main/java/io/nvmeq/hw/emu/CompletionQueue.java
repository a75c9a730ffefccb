package io.nvmeq.hw.emu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.CompletionEntry;

/**
 * A completion queue ring in host memory, written through the IOMMU (its translation cached per
 * mapping generation, {@link QueueMemory}) with phase tags (NVMe base spec
 * 2.0 §4.6 and §3.3.1.2 "Completion Queue Entries"). Several submission queues may share it, so its
 * posting state is guarded by its monitor; the host's head doorbell takes none.
 *
 * <p>Submission queues reserve a slot before they fetch a command, so that a command is only executed
 * when its completion has room: a full queue holds commands back in the submission queue (their
 * completions are posted once the host frees space through the head doorbell, or on a poll) instead of
 * dropping or overwriting completions.
 *
 * <p>A completion whose modelled time has not come yet (latency model, late or dropped completion)
 * waits in a binary heap ordered by due time, in arrays sized once for the ring (a reserved slot
 * backs each waiting completion, so it can never hold more); {@link #postDue(long)}, called from the
 * host's poll, posts those that are due. A dropped completion waits with an infinite due time until
 * an Abort, a queue deletion or a controller reset gets rid of it.
 */
final class CompletionQueue
{
    private static final VarHandle TAIL;

    static
    {
        try
        {
            TAIL = MethodHandles.lookup().findVarHandle(CompletionQueue.class, "tail", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Due time of a completion that is never posted on its own. */
    static final long NEVER = Long.MAX_VALUE;

    final int qid;
    final long baseIova;
    final int size;
    private final QueueMemory ring;
    private final EmulatedController controller;
    private final UnsafeBuffer slot = new UnsafeBuffer(0, 0);
    private final CompletionEntry entry = new CompletionEntry();

    /** The vector this queue signals (IEN = 1), or null: then posting costs this one branch more. */
    private volatile InterruptVector vector;
    /** I/O queues' completions count towards interrupt coalescing; the admin queue's never do. */
    private final boolean coalescible;

    /** Deleted or dropped by a reset: nothing is written to the ring any more. */
    private boolean deleted;
    /**
     * The host's head, written by its head doorbell without this monitor: a device thread posting here
     * must never make the host's doorbell wait (a contended monitor parks the waiter, tens of µs).
     */
    private volatile int head;
    /**
     * Next slot to post; advanced under the monitor before the entry's phase tag is written, with a
     * release store ({@link #TAIL}): readers need its order against the entry, not a full fence.
     */
    private volatile int tail;
    private int phase = 1;
    private int reserved;
    /** Submission queues executing a batch of commands here now ({@link #holdInterrupts}); under the monitor. */
    private int batches;
    /** Completions posted while {@link #batches} held their interrupts back, to be signalled at its end. */
    private int owed;
    /** Submission queues completing here; copy-on-write so that polls read it without the lock. */
    private volatile SubmissionQueue[] attached = new SubmissionQueue[0];

    private final long[] dueAt;
    private final int[] pendingDw0;
    /** SQ id in bits 31:16, SQ head in 15:0. */
    private final int[] pendingQueue;
    /** Command id in bits 31:16, status field in 15:0. */
    private final int[] pendingCommand;
    private int pending;
    /** Earliest due time of a waiting completion, read by polls without the lock. */
    private volatile long nextDue = NEVER;

    CompletionQueue(
        final int qid, final long baseIova, final int size, final EmulatedController controller,
        final InterruptVector vector)
    {
        this.qid = qid;
        this.vector = vector;
        this.coalescible = qid != EmulatedController.ADMIN_QUEUE_ID;
        this.baseIova = baseIova;
        this.size = size;
        this.controller = controller;
        this.ring = new QueueMemory(controller.iommu(), baseIova, (long)size * CompletionEntry.SIZE);
        this.dueAt = new long[size];
        this.pendingDw0 = new int[size];
        this.pendingQueue = new int[size];
        this.pendingCommand = new int[size];
    }

    /** Reserves up to {@code wanted} slots; returns how many it got (0 when the queue is full). */
    synchronized int reserve(final int wanted)
    {
        final int currentHead = head;
        final int currentTail = tail;
        final int used = currentTail >= currentHead ? currentTail - currentHead : currentTail + size - currentHead;
        final int free = size - 1 - used - reserved;
        final int granted = Math.min(wanted, free);
        reserved += granted;
        return granted;
    }

    /** Gives back a reservation for a command that will not complete (the controller failed). */
    synchronized void release()
    {
        reserved--;
    }

    /**
     * Posts a completion into a reserved slot now. Returns false if the slot's IOVA is not mapped
     * (an IOMMU fault: the host broke the queue, which is fatal to the controller).
     */
    synchronized boolean post(final int dw0, final int sqHead, final int sqId, final int cid, final int status)
    {
        return postLocked(dw0, sqHead, sqId, cid, status);
    }

    /** {@link #post} for a caller that holds the monitor (re-entering it costs a CAS as well). */
    private boolean postLocked(final int dw0, final int sqHead, final int sqId, final int cid, final int status)
    {
        reserved--;
        if (deleted)
        {
            // The queue is gone (Delete I/O CQ, a reset): its commands were aborted, the ring may be freed.
            return true;
        }
        final int at = tail;
        final long address = ring.address((long)at * CompletionEntry.SIZE, CompletionEntry.SIZE);
        if (address == EmulatedIommu.FAULT)
        {
            return false;
        }
        final int entryPhase = phase;
        if (at + 1 == size)
        {
            TAIL.setRelease(this, 0);
            phase ^= 1;
        }
        else
        {
            TAIL.setRelease(this, at + 1);
        }
        // The tail first: a host that sees the phase tag and rings the head doorbell finds the entry posted.
        // Release stores both (the entry's last dword too): ordered among themselves, no full fence.
        slot.wrap(address, CompletionEntry.SIZE);
        entry.wrap(slot, 0).post(dw0, sqHead, sqId, cid, status, entryPhase);
        final InterruptVector interrupt = vector;
        if (interrupt != null)
        {
            if (batches > 0)
            {
                owed++;
                return true;
            }
            // After the entry is in memory: a host woken by the eventfd finds it. The fence keeps the
            // entry's store before the vector's mask is read (the host unmasks, then drains the queue).
            VarHandle.fullFence();
            interrupt.completionPosted(coalescible);
        }
        return true;
    }

    /**
     * A submission queue starts executing a batch of commands (the entries one look at its tail showed,
     * as far as this queue has room): the interrupts of what it
     * posts are raised when the batch ends ({@link #releaseInterrupts}), one fence for the batch instead of
     * one per entry (the fence drains the store buffer, behind a 4 KiB read's data), as a controller
     * raises its vector after writing a burst of entries. Each entry still counts towards coalescing.
     * Returns false, doing nothing, for a queue without interrupts: then there is nothing to release.
     */
    boolean holdInterrupts()
    {
        if (vector == null)
        {
            return false;
        }
        synchronized (this)
        {
            batches++;
        }
        return true;
    }

    /** The batch begun by {@link #holdInterrupts} ended: what it (or anyone meanwhile) posted is signalled now. */
    void releaseInterrupts()
    {
        final int posted;
        synchronized (this)
        {
            if (--batches > 0 || owed == 0)
            {
                return;
            }
            posted = owed;
            owed = 0;
        }
        final InterruptVector interrupt = vector;
        if (interrupt != null)
        {
            VarHandle.fullFence();
            for (int i = 0; i < posted; i++)
            {
                interrupt.completionPosted(coalescible);
            }
        }
    }

    /**
     * Nothing is written to the ring from now on. Waits for a post in progress (on a device thread or a
     * host's poll): once this returns, the host may free the ring.
     */
    synchronized void delete()
    {
        deleted = true;
    }

    /** The admin queue's vector 0, once it exists (its interrupts are always enabled). */
    void routeTo(final InterruptVector vector)
    {
        this.vector = vector;
    }

    /** The earliest due time of a completion waiting here, {@link #NEVER} if none. */
    long nextDue()
    {
        return nextDue;
    }

    /** When this queue's vector must be ticked to raise an aggregate, Long.MAX_VALUE if not. */
    long interruptDeadline()
    {
        final InterruptVector interrupt = vector;
        return interrupt == null ? Long.MAX_VALUE : interrupt.deadline();
    }

    /** The host's tick for this queue's vector: an aggregate whose Aggregation Time passed is raised. */
    void tickInterrupt()
    {
        final InterruptVector interrupt = vector;
        if (interrupt != null)
        {
            interrupt.tick();
        }
    }

    /**
     * Completes a command into its reserved slot: now when {@code due} is 0 or past, else when a poll
     * at or after {@code due} finds it ({@link #NEVER}: only an abort, deletion or reset ends it).
     * Returns false on an IOMMU fault posting it now.
     */
    synchronized boolean complete(
        final int dw0, final int sqHead, final int sqId, final int cid, final int status, final long due)
    {
        if (due == 0)
        {
            return postLocked(dw0, sqHead, sqId, cid, status);
        }
        int at = pending++;
        dueAt[at] = due;
        pendingDw0[at] = dw0;
        pendingQueue[at] = (sqId << 16) | (sqHead & 0xFFFF);
        pendingCommand[at] = (cid << 16) | (status & 0xFFFF);
        while (at > 0)
        {
            final int parent = (at - 1) >>> 1;
            if (dueAt[parent] <= dueAt[at])
            {
                break;
            }
            swap(at, parent);
            at = parent;
        }
        nextDue = dueAt[0];
        return true;
    }

    /** Posts the waiting completions that are due now; without any waiting, one volatile read. */
    void postDue()
    {
        if (nextDue != NEVER)
        {
            final long now = System.nanoTime();
            if (now >= nextDue)
            {
                postDue(now);
            }
        }
    }

    /** Completions waiting for their time (including dropped ones). */
    synchronized int pendingCount()
    {
        return pending;
    }

    /** Posts every waiting completion due at {@code now}; an unmapped ring is fatal to the controller. */
    synchronized void postDue(final long now)
    {
        while (pending > 0 && dueAt[0] <= now)
        {
            final int queue = pendingQueue[0];
            final int command = pendingCommand[0];
            final int dw0 = pendingDw0[0];
            removeAt(0);
            if (!postOrFail(dw0, queue & 0xFFFF, queue >>> 16, command >>> 16, command & 0xFFFF))
            {
                return;
            }
        }
    }

    /**
     * Completes the waiting command {@code cid} of submission queue {@code sqId} now with
     * {@code status} (Command Abort Requested). Returns false if no such command waits here.
     */
    synchronized boolean abort(final int sqId, final int cid, final int status)
    {
        for (int i = 0; i < pending; i++)
        {
            if ((pendingQueue[i] >>> 16) == sqId && (pendingCommand[i] >>> 16) == cid)
            {
                final int sqHead = pendingQueue[i] & 0xFFFF;
                removeAt(i);
                postOrFail(0, sqHead, sqId, cid, status);
                return true;
            }
        }
        return false;
    }

    /** Completes every waiting command of {@code sqId} now with {@code status} (its SQ is being deleted). */
    synchronized void abortAll(final int sqId, final int status)
    {
        int i = 0;
        while (i < pending)
        {
            if ((pendingQueue[i] >>> 16) == sqId)
            {
                final int sqHead = pendingQueue[i] & 0xFFFF;
                final int cid = pendingCommand[i] >>> 16;
                removeAt(i);
                postOrFail(0, sqHead, sqId, cid, status);
                i = 0; // removal reorders the heap
            }
            else
            {
                i++;
            }
        }
    }

    private boolean postOrFail(final int dw0, final int sqHead, final int sqId, final int cid, final int status)
    {
        if (postLocked(dw0, sqHead, sqId, cid, status))
        {
            return true;
        }
        controller.fatal("completion queue " + qid + " is not mapped");
        return false;
    }

    /**
     * The host consumed entries up to {@code newHead}. Returns false for a value the spec calls an
     * Invalid Doorbell Write Value (past the queue, or beyond what was posted); it is then ignored.
     */
    boolean headDoorbell(final int newHead)
    {
        if (newHead < 0 || newHead >= size)
        {
            return false;
        }
        // No monitor (see head): the tail only moves forward, so a stale one makes this check stricter, and
        // one the host saw an entry at is never stale.
        final int currentHead = head;
        final int currentTail = tail;
        final int posted = currentTail >= currentHead ? currentTail - currentHead : currentTail + size - currentHead;
        final int consumed = newHead >= currentHead ? newHead - currentHead : newHead + size - currentHead;
        if (consumed > posted)
        {
            return false;
        }
        head = newHead;
        return true;
    }

    synchronized void attach(final SubmissionQueue sq)
    {
        final SubmissionQueue[] current = attached;
        final SubmissionQueue[] next = new SubmissionQueue[current.length + 1];
        System.arraycopy(current, 0, next, 0, current.length);
        next[current.length] = sq;
        attached = next;
    }

    synchronized void detach(final SubmissionQueue sq)
    {
        final SubmissionQueue[] current = attached;
        int at = -1;
        for (int i = 0; i < current.length; i++)
        {
            if (current[i] == sq)
            {
                at = i;
            }
        }
        if (at < 0)
        {
            return;
        }
        final SubmissionQueue[] next = new SubmissionQueue[current.length - 1];
        System.arraycopy(current, 0, next, 0, at);
        System.arraycopy(current, at + 1, next, at, current.length - at - 1);
        attached = next;
    }

    boolean hasAttached()
    {
        return attached.length > 0;
    }

    /**
     * Lets submission queues that stalled on a full completion queue run again: here, or with device
     * threads ({@code cores} not null) on the core that serves each. Cheap when none stalled: one
     * volatile read per attached queue, no lock, no allocation.
     */
    void resumeStalled(final DeviceCores cores)
    {
        final SubmissionQueue[] queues = attached;
        for (int i = 0; i < queues.length; i++)
        {
            if (queues[i].isStalled())
            {
                if (cores == null)
                {
                    queues[i].process();
                }
                else
                {
                    queues[i].unstall();
                    cores.doorbell(queues[i].qid);
                }
            }
        }
    }

    private void removeAt(final int index)
    {
        final int last = --pending;
        if (index != last)
        {
            move(last, index);
            int at = index;
            // Sift up (the moved entry may be earlier than its new parent), then down.
            while (at > 0 && dueAt[(at - 1) >>> 1] > dueAt[at])
            {
                swap(at, (at - 1) >>> 1);
                at = (at - 1) >>> 1;
            }
            while (true)
            {
                final int left = 2 * at + 1;
                if (left >= pending)
                {
                    break;
                }
                final int right = left + 1;
                final int earliest = right < pending && dueAt[right] < dueAt[left] ? right : left;
                if (dueAt[at] <= dueAt[earliest])
                {
                    break;
                }
                swap(at, earliest);
                at = earliest;
            }
        }
        nextDue = pending > 0 ? dueAt[0] : NEVER;
    }

    private void move(final int from, final int to)
    {
        dueAt[to] = dueAt[from];
        pendingDw0[to] = pendingDw0[from];
        pendingQueue[to] = pendingQueue[from];
        pendingCommand[to] = pendingCommand[from];
    }

    private void swap(final int a, final int b)
    {
        final long due = dueAt[a];
        dueAt[a] = dueAt[b];
        dueAt[b] = due;
        final int dw0 = pendingDw0[a];
        pendingDw0[a] = pendingDw0[b];
        pendingDw0[b] = dw0;
        final int queue = pendingQueue[a];
        pendingQueue[a] = pendingQueue[b];
        pendingQueue[b] = queue;
        final int command = pendingCommand[a];
        pendingCommand[a] = pendingCommand[b];
        pendingCommand[b] = command;
    }
}
