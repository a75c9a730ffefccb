package io.nvmeq.actors;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.CompletionInterrupt;
import io.nvmeq.engine.HostStatus;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.spec.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a queue-pair actor holds that must survive its restarts: the NVMe queue pair (absent
 * between a failure and its re-creation), the backlog, the requests waiting to be re-submitted, the
 * requests the device may still hold, and the counters. The actor's behaviour is restarted around it;
 * this object is created once per queue pair and confined to its thread.
 *
 * <p>The requests in flight live in the engine's request table alone: each is submitted with the
 * request as its attachment and the number of earlier attempts as its token, and both come back with
 * its answer, so the actor keeps no table of its own and allocates nothing per request.
 *
 * <p>Exactly-once: a request is in exactly one place at a time (in hand while being placed, the
 * engine's table, the backlog, the retry queue) and leaves it only by being
 * answered or by moving to another place. A request that reached the device is answered only by its
 * own completion, or by the engine once the device has let go of it: after the queue was reconnected
 * (a restart) or the controller reset, or after the queue was deleted (the engine then hands it back with
 * "Command Aborted due to SQ Deletion"); if the controller does not confirm a deletion, the engine keeps
 * the request until the reset that follows has disabled the controller.
 */
final class QueuePairState implements CompletionHandler<IoRequest>
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairActor.class);

    /** A request that was in flight on a failed queue, to be submitted again. */
    record Retry(IoRequest request, int attempt) { }

    final int queueId;
    final int entries;
    final NvmeqSettings.Recovery recovery;
    final QueuePairCounters counters;
    private final NvmeController controller;
    private final int capacity;
    private final ArrayDeque<IoRequest> backlog;
    private final ArrayDeque<Retry> retries = new ArrayDeque<>();
    private final int backlogLimit;

    /** The NVMe queues; null from a failure until they are re-created. */
    private QueuePair queuePair;
    /** A request taken from the mailbox whose placing a failure interrupted (noted by {@link #submitInHand}). */
    private IoRequest inHand;
    /** Being deleted, or restarting (its reconnection under way or waited for): it takes no new work. */
    private boolean deleting;
    private boolean broken;
    private boolean draining;
    /** Within {@link #stop()}: what the engine hands back is answered, not re-submitted. */
    private boolean stopping;
    /** From a failure until its queues are re-created (or it gives up): a failure meanwhile is the same one. */
    private boolean restarting;
    /** Within {@link #poll()}: no handler of the client or of this actor is on the stack (see {@link #answer}). */
    private boolean inPoll;
    private boolean inCompletionsCall;
    /** When this poll answered its first operation by a call (System.nanoTime()), 0 before; see {@link #reapedAt()}. */
    private long reapedAt;
    private final ReplyChains replyChains = new ReplyChains();
    private int failuresInARow;
    /** The reconnection in place under way after a failure; null when none. */
    private CompletableFuture<Void> reconnection;

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
        this.capacity = queuePair.capacity();
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
        return capacity;
    }

    /** Requests the device has or may have: in the engine's table. */
    int inFlight()
    {
        return queuePair != null ? queuePair.requestsInFlight() : 0;
    }

    int backlogSize()
    {
        return backlog.size() + retries.size();
    }

    boolean broken()
    {
        return broken;
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

    boolean restarting()
    {
        return restarting;
    }

    /** A queue to poll and something on it or waiting for it (a reset under way holds new requests back). */
    boolean hasWork()
    {
        return queuePair != null && (queuePair.requestsInFlight() > 0 || !backlog.isEmpty() || !retries.isEmpty());
    }

    /** The interrupt of the current queue's completion queue, or null (none, or no queue now). */
    CompletionInterrupt interrupt()
    {
        return queuePair == null ? null : queuePair.interrupt();
    }

    /** Nothing in flight, nothing waiting. */
    boolean idle()
    {
        return inFlight() == 0 && backlog.isEmpty() && retries.isEmpty();
    }

    /**
     * Places a new request: submitted if the queue has room and nothing waits before it, else in the
     * backlog, else refused with {@link BackpressureException}. Bad input is answered at once.
     */
    void accept(final IoRequest request)
    {
        // Requests keep their order: once anything waits, newcomers wait behind it.
        if (queuePair != null && !deleting && !broken && backlog.isEmpty() && retries.isEmpty() && submitInHand(request))
        {
            // In flight now (or refused as bad input): the poll that follows publishes the occupancy.
            return;
        }
        if (backlog.size() < backlogLimit)
        {
            backlog.addLast(request);
        }
        else
        {
            counters.onRejected();
            answer(request, new BackpressureException("queue pair " + queueId + " is full: " + inFlight() +
                " commands in flight and " + backlogSize() + " waiting (backlog " + backlogLimit + ")"));
        }
        publishOccupancy();
    }

    /**
     * {@link #trySubmit} of a request just taken: one that a failure interrupts is in hand (placed nowhere,
     * held for the restart). Noted only then: a reference stored into this long-lived object costs a fence
     * (G1's write barrier) on every submission otherwise.
     */
    private boolean submitInHand(final IoRequest request)
    {
        try
        {
            return trySubmit(request, 0);
        }
        catch (final RuntimeException | Error ex)
        {
            inHand = request;
            throw ex;
        }
    }

    /**
     * Submits {@code request} unless the hardware queue is full. A request the engine refuses as bad
     * input is answered here (and counts as placed).
     *
     * @return false if the queue had no room (nothing submitted, nothing answered)
     */
    private boolean trySubmit(final IoRequest request, final int attempt)
    {
        final boolean accepted;
        try
        {
            if (request instanceof IoOperation operation)
            {
                accepted = operation.submit(queuePair, this, attempt);
            }
            else if (request instanceof IoRequest.Read read)
            {
                accepted = queuePair.submitRead(read.nsid(), read.lba(), read.blocks(), read.buffer(), read.offset(),
                    this, attempt, request);
            }
            else if (request instanceof IoRequest.Write write)
            {
                accepted = queuePair.submitWrite(write.nsid(), write.lba(), write.blocks(), write.buffer(),
                    write.offset(), write.fua(), this, attempt, request);
            }
            else if (request instanceof IoRequest.Flush flush)
            {
                accepted = queuePair.submitFlush(flush.nsid(), this, attempt, request);
            }
            else if (request instanceof IoRequest.ReadBuffer read)
            {
                accepted = queuePair.submitRead(read.nsid(), read.lba(), read.blocks(), read.buffer(), this, attempt, request);
            }
            else if (request instanceof IoRequest.WriteBuffer write)
            {
                accepted = queuePair.submitWrite(write.nsid(), write.lba(), write.blocks(), write.buffer(), write.fua(),
                    this, attempt, request);
            }
            else if (request instanceof IoRequest.WriteZeroes zeroes)
            {
                accepted = queuePair.submitWriteZeroes(zeroes.nsid(), zeroes.lba(), zeroes.blocks(), zeroes.deallocate(),
                    zeroes.fua(), this, attempt, request);
            }
            else
            {
                final IoRequest.Deallocate deallocate = (IoRequest.Deallocate)request;
                accepted = queuePair.submitDeallocate(deallocate.nsid(), deallocate.lba(), deallocate.blocks(), this, attempt, request);
            }
        }
        catch (final NvmeException ex)
        {
            answer(request, ex);
            return true;
        }
        if (!accepted)
        {
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
        if (deleting)
        {
            // Its SQ is being deleted: take what the controller completes, ring nothing, submit nothing.
            final int reaped = queuePair.reap(capacity);
            publishOccupancy();
            return reaped;
        }
        inPoll = true;
        reapedAt = 0;
        try
        {
            final int reaped = queuePair.poll(capacity);
            counters.onPoll(reaped == 0);
            // A queue the controller dropped takes nothing more: the restart re-submits on new queues.
            final int work = reaped + (broken ? 0 : submitWaiting());
            publishOccupancy();
            return work;
        }
        finally
        {
            inPoll = false;
            replyChains.tellAll();
        }
    }

    /** The engine's answer to {@code request}, submitted {@code attempts} times before. */
    @Override
    public void onCompletion(final long attempts, final IoRequest request, final int status)
    {
        if (Status.codeOf(status) == Status.ABORTED_SQ_DELETED)
        {
            queueDeleted(request, (int)attempts);
            return;
        }
        if (Status.isSuccess(status))
        {
            failuresInARow = 0;
            answer(request, null);
        }
        else
        {
            answer(request, HostStatus.exceptionFor(IoAnswers.opcodeOf(request), false, status));
        }
    }

    /**
     * The queue {@code request} was on is gone with it (deleted by us, or by the controller on its own:
     * then the queue is broken and the actor restarts): re-submitted once it is reconnected, or answered
     * once its retries are used up; while stopping, answered. (The engine hands a request back only once
     * the controller confirmed the deletion or was disabled: the device no longer touches its buffer.)
     */
    private void queueDeleted(final IoRequest request, final int attempts)
    {
        if (stopping)
        {
            answer(request, stopped("with the request in flight (outcome unknown: it may have been executed)"));
            return;
        }
        if (!deleting)
        {
            broken = true;
        }
        if (attempts < recovery.maxRetries())
        {
            retries.addLast(new Retry(request, attempts + 1));
        }
        else
        {
            answer(request, new QueuePairRestartedException("queue pair " + queueId + " failed with the request " +
                "in flight " + (attempts + 1) + " times; not retried again (max-retries " + recovery.maxRetries() + "); the " +
                "device had it, so whether it was executed is unknown"));
        }
    }

    /** After giving up and a cool-down: asks for new NVMe queues (the old ones were deleted); answered on the admin thread. */
    CompletableFuture<QueuePair> recreate()
    {
        return controller.createQueuePairAsync(queueId, entries, counters);
    }

    /** The new queues exist: what waited is submitted. @return the re-submissions among it */
    int attach(final QueuePair created)
    {
        queuePair = created;
        return reconnected();
    }

    /** Re-creating failed: the next failure counts. */
    void creationFailed()
    {
        restarting = false;
    }

    /** After giving up and a cool-down: a fresh start, as a new queue pair would make. */
    void revive()
    {
        failuresInARow = 0;
        restarting = true;
    }

    /**
     * After a failure: counts it; the queue takes no new work (it is still polled, so what completes is
     * answered) until, after the back-off, {@link #reconnect()} has re-created it in place.
     */
    void beginRecovery()
    {
        restarting = true;
        failuresInARow++;
        counters.onRestart();
        if (inHand != null)
        {
            // Taken from the mailbox but never placed: it did not reach the device.
            backlog.addFirst(inHand);
            inHand = null;
        }
        deleting = queuePair != null;
        publishOccupancy();
    }

    /**
     * After the back-off: the engine reconnects the queue in place, as after a controller reset (its
     * queues deleted and re-created on the same rings; what the device never got is resubmitted or
     * answered "did nothing", what it held answered by its completion, resubmitted or "outcome unknown").
     * Null if there is no queue to reconnect.
     */
    CompletableFuture<Void> reconnect()
    {
        if (queuePair == null)
        {
            return null;
        }
        reconnection = controller.reconnectQueuePairAsync(queuePair);
        return reconnection;
    }

    /** The queue is back (the engine takes it over on its next poll): what waited is submitted. @return the re-submissions */
    int reconnected()
    {
        reconnection = null;
        deleting = false;
        broken = false;
        restarting = false;
        final int resubmitted = retries.size();
        submitWaiting();
        publishOccupancy();
        return resubmitted;
    }

    /**
     * Final stop: deletes the queues and answers everything with {@link QueuePairStoppedException}; what
     * the controller may still hold (its deletion not confirmed) the engine answers once the controller has
     * been disabled by the reset that follows.
     */
    void stop()
    {
        stopping = true;
        try
        {
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
            // What the engine still holds comes back through queueDeleted, answered.
            deleteQueues();
            publishOccupancy();
        }
        finally
        {
            stopping = false;
        }
    }

    /**
     * Stopping only (a close path, not a duty cycle): deletes the queues and waits, after a reconnection
     * under way (so that no Delete of this stop meets a Create of that one).
     */
    private void deleteQueues()
    {
        final QueuePair deleted = queuePair;
        if (deleted == null)
        {
            return;
        }
        deleting = true;
        try
        {
            if (reconnection != null)
            {
                awaitQuietly(reconnection);
            }
            QueueDeletions.await(controller.deleteSubmissionQueueAsync(deleted), recovery.adminTimeout(), queueId);
            deleted.reap(capacity);
            QueueDeletions.await(controller.deleteCompletionQueueAsync(deleted), recovery.adminTimeout(), queueId);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("queue pair {}: deleting its queues failed; the engine answers its {} commands once the " +
                "controller has been reset", queueId, deleted.requestsInFlight(), ex);
        }
        finally
        {
            queuePair = null;
            controller.releaseQueuePair(deleted);
            deleting = false;
            reconnection = null;
        }
    }

    private void awaitQuietly(final CompletableFuture<Void> reconnecting)
    {
        try
        {
            QueueDeletions.await(reconnecting, recovery.adminTimeout(), queueId);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("queue pair {}: its reconnection failed before it stopped: {}", queueId, ex.toString());
        }
    }

    private QueuePairStoppedException stopped(final String when)
    {
        return new QueuePairStoppedException("queue pair " + queueId + " stopped " + when);
    }

    /**
     * The one answer to {@code request}: done if {@code error} is null. In a poll, an operation submitted with
     * {@link LocalQueuePair} completions is answered by a call, one chaining its answers joins its client's
     * chain (one message per poll); elsewhere, and inside a completions call, each answer is a message.
     */
    void answer(final IoRequest request, final NvmeException error)
    {
        counters.onAnswered(error != null);
        if (inPoll && !inCompletionsCall && request instanceof IoOperation operation)
        {
            if (operation.answerByCall)
            {
                inCompletionsCall = true;
                LocalQueuePair.answerByCall(operation, error, queueId);
                inCompletionsCall = false;
                return;
            }
            if (operation.chainsAnswers())
            {
                operation.complete(error);
                replyChains.add(operation);
                return;
            }
        }
        IoAnswers.tell(request, error);
    }

    /**
     * Within a completions call: the time of the poll's first such call, one clock read per poll for every
     * answer it reaps (as the raw engine's own loop times them); elsewhere the clock now.
     */
    long reapedAt()
    {
        if (!inCompletionsCall)
        {
            return System.nanoTime();
        }
        if (reapedAt == 0)
        {
            reapedAt = System.nanoTime();
        }
        return reapedAt;
    }

    /** A failure cut a chain of operations short: those not placed yet wait in the backlog for the restart. */
    void holdForRestart(final IoOperation first)
    {
        for (IoOperation operation = first, next; operation != null; operation = next)
        {
            next = operation.takeNextRequest();
            if (IoAnswers.take(operation, queueId, counters))
            {
                backlog.addLast(operation);
            }
        }
    }

    private void publishOccupancy()
    {
        counters.occupancy(inFlight(), backlogSize());
    }
}
