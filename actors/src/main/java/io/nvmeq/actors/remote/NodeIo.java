package io.nvmeq.actors.remote;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqThreadQueue;
import io.nvmeq.engine.DmaBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server node's own way to the device: its {@link DmaBlockPool}, and an NVMe queue pair of the node's one
 * thread ({@link NvmeqThreadQueue}), so that a session submits a batch's reads and writes on the thread that
 * read them from the socket, rings the doorbell once for them, and reaps their completions there: no hand-off
 * to a queue pair actor's thread and back (each a wake-up, two per request). While commands are in flight the
 * node's thread polls the queue between its other work (a task it queues again behind whatever is waiting),
 * as the queue pair actors' threads do; idle, it polls nothing.
 *
 * <p>The thread queue is optional: none when the controller lends no queue pair to threads, and none used when
 * it is full or from another thread (the node's dispatcher is one fixed thread, see {@link RemoteOptions}); a
 * request then goes to the session's queue pair actor as before. Flush, write-zeroes and deallocate always do
 * (the thread queue's stages are reads and writes).
 *
 * <p>Threads: everything but {@link #close()} on the node's thread.
 */
final class NodeIo implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeIo.class);

    private static final long OPEN_TIMEOUT_SECONDS = 30;

    private final DmaBlockPool pool;
    private final NvmeqThreadQueue direct;
    private final Executor nodeThread;
    private final Runnable poll = this::poll;
    // Node thread only.
    private int inFlight;
    private boolean pollQueued;
    private boolean broken;

    private NodeIo(final DmaBlockPool pool, final NvmeqThreadQueue direct, final Executor nodeThread)
    {
        this.pool = pool;
        this.direct = direct;
        this.nodeThread = nodeThread;
    }

    /**
     * Opens the node thread's queue pair from that thread (waiting for it there: at start, before any client),
     * or, where the controller lends none, goes without.
     */
    static NodeIo open(final Nvmeq nvmeq, final DmaBlockPool pool, final Executor nodeThread)
    {
        NvmeqThreadQueue direct = null;
        if (nvmeq.threadQueueCapacity() > 0)
        {
            final CompletableFuture<NvmeqThreadQueue> opened = new CompletableFuture<>();
            nodeThread.execute(() ->
            {
                try
                {
                    opened.complete(nvmeq.threadQueue());
                }
                catch (final RuntimeException ex)
                {
                    opened.completeExceptionally(ex);
                }
            });
            try
            {
                direct = opened.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final TimeoutException ex)
            {
                LOG.warn("the server node's thread did not open a queue pair in {} s: requests go through the queue " +
                    "pair actors", OPEN_TIMEOUT_SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final ExecutionException ex)
            {
                LOG.info("the server node's thread has no queue pair of its own ({}): requests go through the queue " +
                    "pair actors", ex.getCause().getMessage());
            }
        }
        return new NodeIo(pool, direct, nodeThread);
    }

    DmaBlockPool pool()
    {
        return pool;
    }

    /** A read into {@code buffer} on the node thread's queue pair, or null where it cannot take one now. */
    CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset)
    {
        if (!usable())
        {
            return null;
        }
        return track(direct.readAsync(nsid, lba, blocks, buffer, offset));
    }

    /** A write from {@code buffer} on the node thread's queue pair, or null where it cannot take one now. */
    CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final boolean fua)
    {
        if (!usable())
        {
            return null;
        }
        return track(direct.writeAsync(nsid, lba, blocks, buffer, offset, fua));
    }

    private boolean usable()
    {
        return direct != null && !broken && inFlight < direct.capacity() && Thread.currentThread() == direct.owner();
    }

    private CompletionStage<Void> track(final CompletionStage<Void> stage)
    {
        inFlight++;
        final CompletionStage<Void> tracked = stage.whenComplete((ignored, error) -> inFlight--);
        // Queued behind the rest of this mailbox run: a batch's commands share one doorbell write.
        queuePoll();
        return tracked;
    }

    private void queuePoll()
    {
        if (!pollQueued)
        {
            pollQueued = true;
            nodeThread.execute(poll);
        }
    }

    private void poll()
    {
        pollQueued = false;
        try
        {
            direct.poll();
        }
        catch (final RuntimeException ex)
        {
            // Closed under us (the server stopping): its close answers what was in flight.
            broken = true;
            LOG.warn("the server node's queue pair stopped ({}): requests go through the queue pair actors", ex.getMessage());
            return;
        }
        if (inFlight > 0)
        {
            queuePoll();
        }
    }

    /** Deletes the node thread's queue pair (answering what it still held) and frees the DMA buffers. */
    @Override
    public void close()
    {
        try
        {
            if (direct != null)
            {
                direct.close();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("closing the server node's queue pair: {}", ex.toString());
        }
        finally
        {
            pool.close();
        }
    }
}
