package io.nvmeq.actors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a queue-pair actor holds that must survive its restarts: the NVMe queue pair (absent
 * between a failure and its re-creation), the requests in flight, the backlog, the requests waiting
 * to be re-submitted, and the counters. The actor's behaviour is restarted around it; this object is
 * created once per queue pair and confined to its thread.
 *
 * <p>Exactly-once: a request is in exactly one place at a time (in hand while being placed, a slot,
 * the backlog, the retry queue) and leaves it only by being answered or by moving to another place.
 * A request that reached the device is answered only by its own completion, or after the queue it
 * was on was deleted (the controller then no longer touches its buffer).
 */
final class QueuePairState implements CompletionHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairActor.class);

    /** A request that was in flight on a failed queue, to be submitted again. */
    record Retry(IoRequest request, int attempt)
    {
    }

    final int queueId;
    final int entries;
    final NvmeqSettings.Recovery recovery;
    final QueuePairCounters counters;
    private final NvmeController controller;
    private final RequestSlots slots;
    private final ArrayDeque<IoRequest> backlog;
    private final ArrayDeque<Retry> retries = new ArrayDeque<>();
    private final int backlogLimit;

    /** The NVMe queues; null from a failure until they are re-created. */
    private QueuePair queuePair;
    /** A request taken from the mailbox and not yet placed in a slot, the backlog or answered. */
    private IoRequest inHand;
    private boolean deleting;
    private boolean broken;
    private boolean deviceMayHold;
    private boolean draining;
    private int failuresInARow;

    QueuePairState(
        final NvmeController controller,
        final QueuePair queuePair,
        final int backlogLimit,
        final NvmeqSettings.Recovery recovery,
        final QueuePairCounters counters)
    {
        this.controller = controller;
        this.queuePair = queuePair;
        this.queueId = queuePair.id();
        this.entries = queuePair.entries();
        this.slots = new RequestSlots(queuePair.capacity());
        this.backlogLimit = backlogLimit;
        this.backlog = new ArrayDeque<>(Math.min(backlogLimit, 4096) + 1);
        this.recovery = recovery;
        this.counters = counters;
    }

    boolean hasQueue()
    {
        return queuePair != null;
    }

    int capacity()
    {
        return slots.capacity();
    }

    int inFlight()
    {
        return slots.inUseCount();
    }

    int backlogSize()
    {
        return backlog.size() + retries.size();
    }

    boolean broken()
    {
        return broken;
    }

    boolean deviceMayHold()
    {
        return deviceMayHold;
    }

    boolean draining()
    {
        return draining;
    }

    void startDraining()
    {
        draining = true;
    }

    int failuresInARow()
    {
        return failuresInARow;
    }

    /** Nothing in flight, nothing waiting. */
    boolean idle()
    {
        return slots.inUseCount() == 0 && backlog.isEmpty() && retries.isEmpty();
    }

    /**
     * Places a new request: submitted if the queue has room and nothing waits before it, else in the
     * backlog, else refused with {@link BackpressureException}. Bad input is answered at once.
     */
    void accept(final IoRequest request)
    {
        inHand = request;
        if (queuePair == null || !backlog.isEmpty() || !retries.isEmpty() || !trySubmit(request, 0))
        {
            // Requests keep their order: once anything waits, newcomers wait behind it.
            if (backlog.size() < backlogLimit)
            {
                backlog.addLast(request);
                inHand = null;
            }
            else
            {
                inHand = null;
                counters.onRejected();
                answer(request, new BackpressureException("queue pair " + queueId + " is full: " + slots.inUseCount() +
                    " commands in flight and " + backlogSize() + " waiting (backlog " + backlogLimit + ")"));
            }
        }
        publishOccupancy();
    }

    /**
     * Submits {@code request} unless the hardware queue is full. A request the engine refuses as bad
     * input is answered here (and counts as placed).
     *
     * @return false if the queue had no room (nothing submitted, nothing answered)
     */
    private boolean trySubmit(final IoRequest request, final int attempt)
    {
        final int slot = slots.acquire(request, attempt);
        if (slot < 0)
        {
            return false;
        }
        inHand = null;
        final boolean accepted;
        try
        {
            if (request instanceof IoRequest.Read read)
            {
                accepted = queuePair.submitRead(read.nsid(), read.lba(), read.blocks(), read.buffer(), read.offset(),
                    this, slot);
            }
            else if (request instanceof IoRequest.Write write)
            {
                accepted = queuePair.submitWrite(write.nsid(), write.lba(), write.blocks(), write.buffer(),
                    write.offset(), write.fua(), this, slot);
            }
            else
            {
                accepted = queuePair.submitFlush(((IoRequest.Flush)request).nsid(), this, slot);
            }
        }
        catch (final NvmeException ex)
        {
            slots.release(slot);
            answer(request, ex);
            return true;
        }
        if (!accepted)
        {
            slots.release(slot);
            return false;
        }
        counters.onSubmitted();
        return true;
    }

    /** Re-submissions first, then the backlog, while the queue has room; rings the doorbell once. */
    private int submitWaiting()
    {
        int submitted = 0;
        Retry retry;
        while ((retry = retries.peekFirst()) != null && trySubmit(retry.request(), retry.attempt()))
        {
            retries.pollFirst();
            counters.onRetried();
            submitted++;
        }
        while (retries.isEmpty() && !backlog.isEmpty() && trySubmit(backlog.peekFirst(), 0))
        {
            backlog.pollFirst();
            submitted++;
        }
        if (submitted > 0)
        {
            queuePair.ringDoorbell();
        }
        return submitted;
    }

    /** Rings the doorbell for what was submitted, reaps completions, fills freed room from what waits. */
    int poll()
    {
        if (queuePair == null)
        {
            return 0;
        }
        final int reaped = queuePair.poll(slots.capacity());
        counters.onPoll(reaped == 0);
        final int work = reaped + submitWaiting();
        publishOccupancy();
        return work;
    }

    @Override
    public void onCompletion(final long token, final int status)
    {
        if (!slots.inUse(token))
        {
            // Answering it would be a second answer to somebody; make the engine bug loud instead.
            LOG.error("queue pair {}: completion for unknown token {} (status 0x{}) ignored", queueId, token,
                Integer.toHexString(status));
            return;
        }
        final int slot = (int)token;
        if (Status.codeOf(status) == Status.ABORTED_SQ_DELETED)
        {
            // The device let go of the command without running it: it stays held, to be re-submitted
            // once the queue is deleted (by us: now; or by the controller on its own: a broken queue).
            if (!deleting)
            {
                broken = true;
            }
            return;
        }
        final IoRequest request = slots.release(slot);
        if (Status.isSuccess(status))
        {
            failuresInARow = 0;
            answer(request, null);
        }
        else
        {
            answer(request, IoErrors.commandFailed(opcodeOf(request), status));
        }
    }

    /** Makes the restarted queue pair usable: new NVMe queues, then what waited is submitted. */
    int recreate()
    {
        queuePair = controller.createQueuePair(queueId, entries);
        broken = false;
        final int resubmitted = retries.size();
        submitWaiting();
        publishOccupancy();
        return resubmitted;
    }

    /**
     * After a failure: deletes the queues (the controller completes or aborts what it holds first),
     * then moves every request that was in flight to the retry queue, or answers it with
     * {@link QueuePairRestartedException} once its retries are used up. If the deletion is not
     * confirmed, the device may still use those buffers: the requests stay held (see {@link #releaseHeld()}).
     */
    void recoverAfterFailure()
    {
        failuresInARow++;
        counters.onRestart();
        if (inHand != null)
        {
            // Taken from the mailbox but never placed: it did not reach the device.
            backlog.addFirst(inHand);
            inHand = null;
        }
        if (!deleteQueues())
        {
            deviceMayHold = true;
            publishOccupancy();
            return;
        }
        for (final int slot : slots.slotsInUse())
        {
            final int attempt = slots.attempt(slot);
            final IoRequest request = slots.release(slot);
            if (attempt < recovery.maxRetries())
            {
                retries.addLast(new Retry(request, attempt + 1));
            }
            else
            {
                answer(request, new QueuePairRestartedException("queue pair " + queueId + " failed with the request " +
                    "in flight " + (attempt + 1) + " times; not retried again (max-retries " + recovery.maxRetries() + ")"));
            }
        }
        publishOccupancy();
    }

    /**
     * Final stop: deletes the queues and answers everything with {@link QueuePairStoppedException},
     * except the requests the device may still hold (deletion not confirmed), which are returned.
     */
    List<IoRequest> stop()
    {
        final List<IoRequest> held = new ArrayList<>();
        if (inHand != null)
        {
            answer(inHand, stopped("before the request ran"));
            inHand = null;
        }
        Retry retry;
        while ((retry = retries.pollFirst()) != null)
        {
            answer(retry.request(), stopped("while the request waited to be re-submitted"));
        }
        IoRequest waiting;
        while ((waiting = backlog.pollFirst()) != null)
        {
            answer(waiting, stopped("before the request ran"));
        }
        if (!deviceMayHold && !deleteQueues())
        {
            deviceMayHold = true;
        }
        if (deviceMayHold)
        {
            held.addAll(releaseHeld());
        }
        else
        {
            for (final int slot : slots.slotsInUse())
            {
                answer(slots.release(slot), stopped("with the request in flight"));
            }
        }
        publishOccupancy();
        return held;
    }

    /** Takes the requests the device may still hold out of their slots, unanswered. */
    private List<IoRequest> releaseHeld()
    {
        final List<IoRequest> held = new ArrayList<>();
        for (final int slot : slots.slotsInUse())
        {
            held.add(slots.release(slot));
        }
        return held;
    }

    /** @return true if the controller confirmed (or there was nothing to delete) */
    private boolean deleteQueues()
    {
        final QueuePair deleted = queuePair;
        if (deleted == null)
        {
            return true;
        }
        queuePair = null;
        deleting = true;
        try
        {
            controller.deleteQueuePair(deleted);
            return true;
        }
        catch (final CommandFailedException ex)
        {
            if (ex.admin() && Status.codeOf(ex.status()) == Status.INVALID_QUEUE_ID)
            {
                // The controller has no such queue (it dropped it): nothing of it can touch memory.
                LOG.warn("queue pair {}: the controller no longer knew its queues ({})", queueId, ex.getMessage());
                return true;
            }
            LOG.error("queue pair {}: deleting its queues failed; its {} commands are held until the controller is " +
                "reset or closed", queueId, slots.inUseCount(), ex);
            return false;
        }
        catch (final RuntimeException ex)
        {
            LOG.error("queue pair {}: deleting its queues failed; its {} commands are held until the controller is " +
                "reset or closed", queueId, slots.inUseCount(), ex);
            return false;
        }
        finally
        {
            deleting = false;
        }
    }

    private QueuePairStoppedException stopped(final String when)
    {
        return new QueuePairStoppedException("queue pair " + queueId + " stopped " + when);
    }

    /** The one answer to {@code request}: Done if {@code error} is null. */
    void answer(final IoRequest request, final NvmeException error)
    {
        counters.onAnswered(error != null);
        request.replyTo().tell(error == null ? new IoReply.Done(request.tag()) : new IoReply.Failed(request.tag(), error));
    }

    private void publishOccupancy()
    {
        counters.occupancy(slots.inUseCount(), backlogSize());
    }

    static int opcodeOf(final IoRequest request)
    {
        if (request instanceof IoRequest.Read)
        {
            return Opcodes.NVM_READ;
        }
        return request instanceof IoRequest.Write ? Opcodes.NVM_WRITE : Opcodes.NVM_FLUSH;
    }
}
