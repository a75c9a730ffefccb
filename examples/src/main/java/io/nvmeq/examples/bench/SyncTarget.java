package io.nvmeq.examples.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.NvmeqThreadQueue;
import io.nvmeq.engine.DmaBuffer;

/**
 * The plain-thread fast path of the public API: the device opened through the {@link Nvmeq} facade, and
 * each job a plain Java thread (not pinned, not an actor) with a {@link NvmeqThreadQueue} of its own. At
 * iodepth 1 it makes blocking calls ({@code read}/{@code write} return when the device completed them), as
 * a Java program replacing {@code FileChannel.read} would; deeper, it keeps the slots busy with the
 * queue's stages and reaps them with {@code poll()}.
 */
final class SyncTarget extends NvmeqTarget
{
    private NvmeqThreadQueue transferQueue;

    SyncTarget(final NvmeqSettings settings)
    {
        super(settings);
    }

    @Override
    public String engineName()
    {
        return "nvmeq-sync";
    }

    @Override
    public String description()
    {
        return settings.device() + " through the Nvmeq facade's thread queues: one plain thread per job owns a " +
            "queue pair and waits by polling it (blocking calls at iodepth 1)";
    }

    @Override
    public int maxJobs()
    {
        return nvmeq.threadQueueCapacity();
    }

    @Override
    public void transfer(final boolean write, final int nsid, final long offset, final int length)
    {
        if (transferQueue == null || transferQueue.owner() != Thread.currentThread())
        {
            if (transferQueue != null)
            {
                transferQueue.close();
            }
            transferQueue = nvmeq.threadQueue();
        }
        final int lbaSize = lbaSize(nsid);
        if (write)
        {
            transferQueue.write(nsid, offset / lbaSize, length / lbaSize, transfer, 0, false);
        }
        else
        {
            transferQueue.read(nsid, offset / lbaSize, length / lbaSize, transfer, 0);
        }
    }

    @Override
    public Running start(final List<JobContext> jobs)
    {
        return ThreadedRun.startPerJob(jobs, nvmeq::allocate,
            (job, worker, buffer) -> new Driver(nvmeq, worker, buffer), "nvmeq-bench-sync-");
    }

    @Override
    public void close()
    {
        if (transferQueue != null)
        {
            transferQueue.close();
        }
        if (transfer != null)
        {
            transfer.close();
        }
        nvmeq.close();
    }

    /** One job's plain thread: its own thread queue, blocking calls at depth 1, stages deeper. */
    private static final class Driver implements Runnable
    {
        private final Nvmeq nvmeq;
            private final Worker worker;
        private final DmaBuffer buffer;
        private final int nsid;
        private final int bs;
        private final boolean fua;
        /** Made once per slot: a stage's callback allocates nothing of the slot's own. */
        private final SlotDone[] done;
        private final boolean[] busy;

        Driver(final Nvmeq nvmeq, final Worker worker, final DmaBuffer buffer)
        {
            this.nvmeq = nvmeq;
            this.worker = worker;
            this.buffer = buffer;
            this.nsid = worker.job().spec.nsid();
            this.bs = worker.job().spec.bs();
            this.fua = worker.job().spec.fua();
            this.busy = new boolean[worker.slots()];
            this.done = new SlotDone[worker.slots()];
            for (int slot = 0; slot < done.length; slot++)
            {
                done[slot] = new SlotDone(slot);
            }
        }

        @Override
        public void run()
        {
            try (NvmeqThreadQueue queue = nvmeq.threadQueue())
            {
                if (busy.length == 1)
                {
                    blocking(queue);
                }
                else
                {
                    staged(queue);
                }
            }
            catch (final RuntimeException ex)
            {
                worker.abandon("thread queue failed: " + ex.getMessage());
            }
        }

        private void blocking(final NvmeqThreadQueue queue)
        {
            long now = System.nanoTime();
            while (!worker.finished(now))
            {
                if (!worker.mayIssue(now))
                {
                    if (worker.waitNs() == 0)
                    {
                        return;
                    }
                    LockSupport.parkNanos(worker.waitNs()); // --rate_iops
                    now = System.nanoTime();
                    continue;
                }
                worker.issue(0, now);
                try
                {
                    if (worker.isRead(0))
                    {
                        queue.read(nsid, worker.lba(0), worker.lbaCount(), buffer, 0);
                    }
                    else
                    {
                        queue.write(nsid, worker.lba(0), worker.lbaCount(), buffer, 0, fua);
                    }
                    now = System.nanoTime();
                    worker.completed(0, now);
                }
                catch (final RuntimeException ex)
                {
                    now = System.nanoTime();
                    worker.failed(0, String.valueOf(ex.getMessage()));
                }
            }
        }

        private void staged(final NvmeqThreadQueue queue)
        {
            final long drainDeadline = worker.job().endAt + RawTarget.DRAIN_NS;
            while (true)
            {
                final long now = System.nanoTime();
                for (int slot = 0; slot < busy.length; slot++)
                {
                    if (!busy[slot] && worker.mayIssue(now))
                    {
                        worker.issue(slot, now);
                        busy[slot] = true;
                        final CompletionStage<Void> stage = worker.isRead(slot) ?
                            queue.readAsync(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs) :
                            queue.writeAsync(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs, fua);
                        stage.whenComplete(done[slot]);
                    }
                }
                queue.poll();
                if (worker.finished(System.nanoTime()))
                {
                    return;
                }
                if (now - drainDeadline > 0)
                {
                    worker.abandon(worker.inFlight() + " command(s) on thread queue " + queue.queueId() +
                        " got no completion within " + Duration.ofNanos(RawTarget.DRAIN_NS).toSeconds() +
                        " s of the job's end");
                    return;
                }
            }
        }

        private final class SlotDone implements BiConsumer<Void, Throwable>
        {
            private final int slot;

            SlotDone(final int slot)
            {
                this.slot = slot;
            }

            @Override
            public void accept(final Void ignored, final Throwable failure)
            {
                busy[slot] = false;
                if (failure == null)
                {
                    worker.completed(slot, System.nanoTime());
                }
                else
                {
                    final Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    worker.failed(slot, String.valueOf(cause.getMessage()));
                }
            }
        }
    }
}
