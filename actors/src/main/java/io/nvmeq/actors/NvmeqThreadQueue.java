package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.HostStatus;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.spec.Opcodes;

/**
 * An NVMe I/O queue pair of the thread that opened it ({@link Nvmeq#threadQueue()}): the fast path for
 * plain Java threads. The calling thread itself writes the submission entry, rings the doorbell and
 * spins on the completion queue, as SPDK's applications do with one qpair per thread, so a request
 * crosses no thread and wakes none: a blocking read costs about what the engine costs (see the README's
 * "Use it from Java"). The queue pair is created when the thread queue is opened and deleted when it is
 * closed; open one per thread and keep it, as one would keep a FileChannel.
 *
 * <pre>{@code
 * try (NvmeqThreadQueue queue = nvmeq.threadQueue())
 * {
 *     queue.read(1, 0, 8, buffer, 0);                          // namespace 1, LBA 0, 8 blocks: returns when done
 *     queue.readAsync(1, 8, 8, other, 0).toCompletableFuture().join();   // join() polls: no park, no wake-up
 * }
 * }</pre>
 *
 * <p><b>One owner.</b> Only the opening thread may use it: its queue pair is polled without a lock. A
 * request from any other thread is refused with {@link NotQueueOwnerException} (nothing sent); such
 * threads open their own or use {@link NvmeqQueue}. {@link #close()} alone may come from any thread.
 *
 * <p><b>Blocking calls</b> ({@code read}, {@code write}, {@code flush}, {@code writeZeroes},
 * {@code deallocate}) return when the device completed the command and throw the typed error otherwise,
 * as {@link NvmeqQueue} lists them ({@link InvalidRequestException}: refused, nothing changed; the
 * engine's command errors; {@link ControllerUnavailableException}: closed, or closed while waiting, then
 * the outcome is unknown). They allocate nothing. While waiting they spin, then yield, then park for
 * up to {@value #MAX_PARK_MICROS} µs at a time; they never wait forever: each command has the engine's
 * deadline (Abort, then controller reset, as on the actor path), and a close gives them the shutdown
 * timeout. Interrupts are not looked at.
 *
 * <p><b>Stages</b> ({@code readAsync}, {@code writeAsync}): submit and return at once, to keep several
 * commands in flight. Completions are reaped only by this thread: by its blocking calls, by {@link #poll()},
 * and by {@code join()}/{@code get()} on its stages (and on stages derived from them), which poll the
 * queue instead of parking; a callback attached to a stage runs on this thread inside that poll, must
 * be short, and may submit but not block. Another thread waiting on such a stage waits until the owner
 * polls. Each stage is one allocation.
 *
 * <p>Buffers are those of {@link NvmeqQueue}: {@link DmaBuffer}s of this facade zero-copy (another
 * controller's, or a closed one, is refused), ByteBuffers by their memory; the caller leaves a buffer
 * alone until its request is answered.
 */
public final class NvmeqThreadQueue implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NvmeqThreadQueue.class);

    private static final int IDLE = 0;
    private static final int IN_CALL = 1;
    private static final int CLOSED = 2;
    /** The owner gave up waiting during a close: the queue is left to the controller's close. */
    private static final int ABANDONED = 3;

    /** A completion on the emulated device or a fast SSD comes within microseconds: spin first. */
    private static final int SPINS = 2_000;
    private static final int YIELDS = 100;
    private static final long MAX_PARK_MICROS = 200;

    /** For {@link #giveUpIfClosing}: the call's own request was not submitted yet. */
    private static final int NOT_SENT = -2;

    private final Thread owner;
    private final QueuePair queuePair;
    private final NvmeController controller;
    private final ThreadQueues registry;
    private final long closeTimeoutNanos;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final IdleStrategy idle = new BackoffIdleStrategy(SPINS, YIELDS, 1_000, MAX_PARK_MICROS * 1_000);
    private final Answers answers = new Answers();
    /** When a close that found the owner in a call stops waiting for it; 0 while no close waits. */
    private volatile long closeDeadline;

    // Owner only.
    private int depth;
    private boolean polling;
    private boolean blockingDone;
    private int blockingStatus;
    private final ThreadQueueRequest request = new ThreadQueueRequest();

    NvmeqThreadQueue(final Thread owner, final QueuePair queuePair, final NvmeController controller,
        final ThreadQueues registry, final long closeTimeoutNanos)
    {
        this.owner = owner;
        this.queuePair = queuePair;
        this.controller = controller;
        this.registry = registry;
        this.closeTimeoutNanos = closeTimeoutNanos;
    }

    /** The NVMe I/O queue id of this thread queue's queue pair. */
    public int queueId()
    {
        return queuePair.id();
    }

    /** The thread that opened it: the only one that may send requests here. */
    public Thread owner()
    {
        return owner;
    }

    /** Commands that may be in flight at once (stages beyond it wait for room, polling). */
    public int capacity()
    {
        return queuePair.capacity();
    }

    public boolean isClosed()
    {
        return state.get() >= CLOSED;
    }

    // ---------------------------------------------------------------- blocking calls

    /** Reads {@code blocks} blocks of namespace {@code nsid} from {@code lba} into {@code buffer} at {@code offset} (a multiple of 4), zero-copy. */
    public void read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset)
    {
        enter();
        try
        {
            request.dma(ThreadQueueRequest.READ, nsid, lba, blocks, buffer, offset, false);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Writes {@code blocks} blocks of {@code nsid} at {@code lba} from {@code buffer} at {@code offset}, zero-copy; {@code fua}: durable when it returns. */
    public void write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final boolean fua)
    {
        enter();
        try
        {
            request.dma(ThreadQueueRequest.WRITE, nsid, lba, blocks, buffer, offset, fua);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Reads into any ByteBuffer from its position (left unchanged), by the path its memory allows (see {@link NvmeqQueue}). */
    public void read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        enter();
        try
        {
            request.bytes(ThreadQueueRequest.READ_BYTES, nsid, lba, blocks, buffer, false);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Writes from any ByteBuffer from its position (left unchanged). */
    public void write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer, final boolean fua)
    {
        enter();
        try
        {
            request.bytes(ThreadQueueRequest.WRITE_BYTES, nsid, lba, blocks, buffer, fua);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Commits namespace {@code nsid}'s volatile write cache to non-volatile media. */
    public void flush(final int nsid)
    {
        enter();
        try
        {
            request.set(ThreadQueueRequest.FLUSH, nsid, 0, 0);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Write Zeroes of {@code blocks} (1..65536) blocks from {@code lba}; the device may deallocate them if {@code deallocate}. */
    public void writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate, final boolean fua)
    {
        enter();
        try
        {
            request.set(ThreadQueueRequest.WRITE_ZEROES, nsid, lba, blocks).flags(fua, deallocate);
            await();
        }
        finally
        {
            leave();
        }
    }

    /** Dataset Management, Deallocate (TRIM) of {@code blocks} blocks from {@code lba}: a hint, no data moves. */
    public void deallocate(final int nsid, final long lba, final long blocks)
    {
        enter();
        try
        {
            request.set(ThreadQueueRequest.DEALLOCATE, nsid, lba, blocks);
            await();
        }
        finally
        {
            leave();
        }
    }

    // ---------------------------------------------------------------- stages

    /**
     * Submits a zero-copy read and returns at once; the stage completes when this thread reaps the
     * completion (see the class comment). Never throws: every error completes the stage.
     */
    public CompletionStage<Void> readAsync(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return submitAsync(ThreadQueueRequest.READ, Opcodes.NVM_READ, nsid, lba, blocks, buffer, offset, false);
    }

    /** Submits a zero-copy write and returns at once; see {@link #readAsync}. */
    public CompletionStage<Void> writeAsync(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return submitAsync(ThreadQueueRequest.WRITE, Opcodes.NVM_WRITE, nsid, lba, blocks, buffer, offset, fua);
    }

    /**
     * Reaps what the device completed, completing those stages (their callbacks run here), and rings
     * the doorbell for what was submitted; never waits.
     *
     * @return completion entries reaped
     * @throws NotQueueOwnerException  from another thread
     * @throws InvalidRequestException from a completion callback of this queue (it would poll inside the poll)
     */
    public int poll()
    {
        if (polling)
        {
            throw new InvalidRequestException("thread queue " + queueId() + " was polled from its own completion " +
                "callback: it reaps again once the callback has returned");
        }
        enter();
        try
        {
            return pollOnce();
        }
        finally
        {
            leave();
        }
    }

    private CompletionStage<Void> submitAsync(final int kind, final int opcode, final int nsid, final long lba,
        final int blocks, final DmaBuffer buffer, final int offset, final boolean fua)
    {
        final OwnerPolledFuture<Void> stage = new OwnerPolledFuture<>(this, opcode);
        try
        {
            enter();
        }
        catch (final NvmeException ex)
        {
            stage.completeExceptionally(ex);
            return stage;
        }
        try
        {
            request.dma(kind, nsid, lba, blocks, buffer, offset, fua);
            submit(stage);
        }
        catch (final NvmeException ex)
        {
            stage.completeExceptionally(ex);
        }
        finally
        {
            request.clearBuffers();
            leave();
        }
        return stage;
    }

    /** join()/get() of a stage on the owner thread: polls until it is done (or until {@code deadline}, if not 0). */
    void pollUntilDone(final CompletableFuture<?> stage, final long deadline)
    {
        if (stage.isDone() || Thread.currentThread() != owner)
        {
            return; // another thread waits as usual: the owner's polls complete the stage
        }
        if (polling)
        {
            throw new InvalidRequestException("a stage of thread queue " + queueId() + " was waited for inside a " +
                "completion callback of the same queue: it could never complete; wait after the callback");
        }
        if (depth == 0 && !state.compareAndSet(IDLE, IN_CALL))
        {
            return; // closed: the close answers what was in flight
        }
        depth++;
        try
        {
            idle.reset();
            while (!stage.isDone())
            {
                if (pollOnce() == 0 && !stage.isDone())
                {
                    if (deadline != 0 && System.nanoTime() - deadline > 0)
                    {
                        return;
                    }
                    idle.idle();
                    giveUpIfClosing(-1);
                }
            }
        }
        finally
        {
            leave();
        }
    }

    // ---------------------------------------------------------------- close

    /**
     * Deletes the queue pair (its SQ, then its CQ, through the admin queue) after the owner's current
     * call, if any, returned: stages still in flight are answered by their completion, or with "Command
     * Aborted due to SQ Deletion" if the controller dropped them. From any thread; idempotent. A call of
     * the owner still waiting after the shutdown timeout ends with "outcome unknown", and the queue is
     * then left for the facade's close to delete.
     *
     * @throws NvmeException if the controller did not confirm the deletion (see {@link NvmeController#deleteQueuePair})
     * @throws InvalidRequestException from a completion callback of this queue (close it after the callback)
     */
    @Override
    public void close()
    {
        if (!takeForClose(System.nanoTime() + closeTimeoutNanos))
        {
            return;
        }
        boolean deleted = false;
        try
        {
            controller.deleteQueuePair(queuePair);
            deleted = true;
        }
        finally
        {
            registry.released(this, deleted);
        }
    }

    /**
     * Waits for the owner to leave its call (it gives up at {@code deadline} itself), then marks it closed.
     *
     * @return whether this call closed it (false: closed or abandoned already, or the owner never returned)
     */
    private boolean takeForClose(final long deadline)
    {
        if (Thread.currentThread() == owner && depth > 0)
        {
            throw new InvalidRequestException("thread queue " + queueId() + " cannot be closed from its own " +
                "completion callback: close it once the call has returned");
        }
        if (closeDeadline == 0)
        {
            closeDeadline = deadline;
        }
        while (true)
        {
            final int current = state.get();
            if (current == IDLE)
            {
                if (state.compareAndSet(IDLE, CLOSED))
                {
                    return true;
                }
                continue;
            }
            if (current != IN_CALL)
            {
                return false;
            }
            // The owner checks the deadline while it waits; a second is plenty for it to notice.
            if (System.nanoTime() - (closeDeadline + TimeUnit.SECONDS.toNanos(1)) > 0)
            {
                LOG.error("thread queue {}: its owner '{}' is still in a call after the close timeout; the queue is " +
                    "left for the controller's close", queueId(), owner.getName());
                registry.released(this, false);
                return false;
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    // ---------------------------------------------------------------- the owner's side

    private void enter()
    {
        if (Thread.currentThread() != owner)
        {
            throw new NotQueueOwnerException("thread queue " + queueId() + " belongs to thread '" + owner.getName() +
                "', not to '" + Thread.currentThread().getName() + "': the request was refused and nothing was sent");
        }
        if (depth == 0)
        {
            if (!state.compareAndSet(IDLE, IN_CALL))
            {
                throw closedRefusal();
            }
            // A close waiting for the owner's call takes the queue as soon as it returns: no new call
            // slips in between (both sides write, then read the other's volatile).
            if (closeDeadline != 0)
            {
                state.set(IDLE);
                throw closedRefusal();
            }
        }
        depth++;
    }

    private ControllerUnavailableException closedRefusal()
    {
        return new ControllerUnavailableException("thread queue " + queueId() +
            " is closed: the request was refused and nothing was sent");
    }

    private void leave()
    {
        if (--depth == 0 && state.get() == IN_CALL)
        {
            state.setRelease(IDLE);
        }
    }

    /** Submits the pending request as a blocking one and polls until it is answered. */
    private void await()
    {
        final int opcode = request.opcode();
        if (polling)
        {
            throw new InvalidRequestException("a blocking call inside a completion callback of thread queue " +
                queueId() + " would poll inside the poll: submit a stage instead");
        }
        blockingDone = false;
        try
        {
            submit(null);
        }
        finally
        {
            request.clearBuffers();
        }
        idle.reset();
        while (!blockingDone)
        {
            if (pollOnce() == 0 && !blockingDone)
            {
                idle.idle();
                giveUpIfClosing(opcode);
            }
        }
        final NvmeException error = HostStatus.exceptionFor(opcode, false, blockingStatus);
        if (error != null)
        {
            throw error;
        }
    }

    /** Submits the pending request, polling for room while the queue is full or a reset is under way. */
    private void submit(final OwnerPolledFuture<Void> stage)
    {
        idle.reset();
        while (!request.submitTo(queuePair, answers, stage))
        {
            if (polling)
            {
                throw new BackpressureException("thread queue " + queueId() + " is full (" + capacity() +
                    " commands) inside its own completion callback: nothing was sent");
            }
            if (pollOnce() == 0)
            {
                idle.idle();
                giveUpIfClosing(NOT_SENT);
            }
        }
    }

    private int pollOnce()
    {
        polling = true;
        try
        {
            return queuePair.poll(queuePair.capacity());
        }
        finally
        {
            polling = false;
        }
    }

    /** A close waits for this call: past its deadline the call ends, truthfully, with "outcome unknown". */
    /**
     * @param opcode the command this call waits for; {@link #NOT_SENT} while it waits for room (then only
     *               the stages in flight have an unknown outcome); -1 while it waits for stages
     */
    private void giveUpIfClosing(final int opcode)
    {
        final long deadline = closeDeadline;
        if (deadline != 0 && System.nanoTime() - deadline > 0)
        {
            state.set(ABANDONED);
            registry.released(this, false);
            throw new ControllerUnavailableException("thread queue " + queueId() + " was closed " + (opcode == NOT_SENT ?
                "while the request waited for room: it was refused and nothing was sent (stages in flight have an " +
                "unknown outcome)" : "before " + (opcode < 0 ? "its requests were" : "the " + Opcodes.nvmName(opcode) +
                " was") + " answered: the outcome is unknown (it may have run)"));
        }
    }

    @Override
    public String toString()
    {
        return "NvmeqThreadQueue{queue=" + queueId() + ", owner=" + owner.getName() + '}';
    }

    /** The queue pair's completion handler: a blocking call's answer, or a stage's. */
    private final class Answers implements CompletionHandler<Object>
    {
        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            if (attachment == null)
            {
                blockingStatus = status;
                blockingDone = true;
            }
            else
            {
                ((OwnerPolledFuture<?>)attachment).answer(status);
            }
        }
    }
}
