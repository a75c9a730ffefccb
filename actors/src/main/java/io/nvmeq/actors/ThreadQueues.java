package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeException;

/**
 * The facade's {@link NvmeqThreadQueue}s: which I/O queue ids above the queue-pair actors' are lent to
 * threads, and closing them all before the controller is shut down (so that its close never deletes a
 * queue a thread still polls). Opening and the close gate are under this object's monitor; the queues'
 * I/O never touches it.
 */
final class ThreadQueues
{
    /**
     * I/O queue pairs asked for at bring-up beyond the actors' (the controller may grant fewer): the
     * most thread queues open at once. NVMe controllers commonly grant 32 to 128 queue pairs.
     */
    static final int EXTRA_QUEUE_PAIRS = 16;
    /** Entries per thread queue (capped by CAP.MQES): a thread rarely keeps more in flight. */
    static final int ENTRIES = 64;

    private static final Logger LOG = LoggerFactory.getLogger(ThreadQueues.class);

    /** Asks the supervisor for queue {@code qid} and waits for the answer (bounded). */
    @FunctionalInterface
    interface Opener
    {
        ControllerCommand.QueuePairOpened open(int qid, int entries);
    }

    private final Opener opener;
    private final int firstQid;
    private final int lastQid;
    private final int entries;
    private final Duration closeTimeout;
    /** By queue id: lent, or lost (no answer came, or its deletion was not confirmed). */
    private final BitSet taken = new BitSet();
    private final List<NvmeqThreadQueue> open = new ArrayList<>();
    private boolean closed;

    /**
     * @param actorQueuePairs queue ids 1..actorQueuePairs belong to the queue-pair actors
     * @param granted         I/O queue pairs the controller granted
     */
    ThreadQueues(final Opener opener, final int actorQueuePairs, final int granted, final int maxEntries,
        final Duration closeTimeout)
    {
        this.opener = opener;
        this.firstQid = actorQueuePairs + 1;
        this.lastQid = granted;
        this.entries = Math.min(ENTRIES, maxEntries);
        this.closeTimeout = closeTimeout;
    }

    /** How many thread queues may be open at once. */
    int capacity()
    {
        return Math.max(0, lastQid - firstQid + 1);
    }

    synchronized NvmeqThreadQueue open(final String device)
    {
        if (closed)
        {
            throw new ControllerUnavailableException("nvmeq on " + device + " is closed: no thread queue was opened");
        }
        reclaimOrphans();
        final int qid = taken.nextClearBit(firstQid);
        if (qid > lastQid)
        {
            throw new InvalidRequestException("all " + capacity() + " I/O queue pairs the controller lends to threads " +
                "are in use (" + open + "): close one, or share one thread's queue through NvmeqQueue; nothing was opened");
        }
        taken.set(qid);
        // If no answer comes (a timeout thrown here), the queue may yet be created: its id stays taken,
        // and the controller's close deletes it.
        final ControllerCommand.QueuePairOpened opened = opener.open(qid, entries);
        if (opened.error() != null)
        {
            taken.clear(qid);
            throw opened.error();
        }
        final NvmeqThreadQueue queue = new NvmeqThreadQueue(Thread.currentThread(), opened.queuePair(),
            opened.controller(), this, closeTimeout.toNanos());
        open.add(queue);
        return queue;
    }

    /** A thread queue's close ended: its id is free again if the controller confirmed the deletion. */
    synchronized void released(final NvmeqThreadQueue queue, final boolean deleted)
    {
        open.remove(queue);
        if (deleted)
        {
            taken.clear(queue.queueId());
        }
        notifyAll();
    }

    synchronized int openCount()
    {
        return open.size();
    }

    /**
     * Shuts the gate (no thread queue opens from now on) and closes every open one: each owner's call
     * in progress is answered or ends with "outcome unknown" within the close timeout, and stages in
     * flight are answered by the deletion. Returns once all were released, or the time was up.
     */
    void closeAll()
    {
        final List<NvmeqThreadQueue> closing;
        synchronized (this)
        {
            closed = true;
            closing = new ArrayList<>(open);
        }
        for (final NvmeqThreadQueue queue : closing)
        {
            closeQuietly(queue);
        }
        // A close another thread began (it won the queue before us) must end before the controller's.
        final long deadline = System.nanoTime() + closeTimeout.toNanos();
        synchronized (this)
        {
            while (!open.isEmpty() && deadline - System.nanoTime() > 0)
            {
                try
                {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!open.isEmpty())
            {
                LOG.warn("thread queues {} were not released in {}; the controller's close deletes them", open, closeTimeout);
            }
        }
    }

    /** Threads that ended without closing their queue: closed for them, so their ids can be lent again. */
    private void reclaimOrphans()
    {
        for (final NvmeqThreadQueue queue : new ArrayList<>(open))
        {
            if (!queue.owner().isAlive())
            {
                LOG.info("thread '{}' ended without closing its thread queue {}: closing it", queue.owner().getName(),
                    queue.queueId());
                closeQuietly(queue);
            }
        }
    }

    private static void closeQuietly(final NvmeqThreadQueue queue)
    {
        try
        {
            queue.close();
        }
        catch (final NvmeException ex)
        {
            LOG.warn("closing thread queue {} failed: {}", queue.queueId(), ex.getMessage());
        }
    }
}
