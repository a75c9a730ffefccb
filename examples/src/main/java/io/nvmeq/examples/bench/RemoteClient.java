package io.nvmeq.examples.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.nvmeq.actors.remote.RemoteNvmeq;

/**
 * A job's load on a remote namespace, as {@link FacadeClient} drives a local one: each slot issues its next I/O
 * from the completion of its last, through {@link RemoteNvmeq} (whose answers arrive on its reply actor's
 * thread, while the first requests are issued from the caller's: the worker is guarded by its monitor).
 */
final class RemoteClient
{
    private final RemoteNvmeq remote;
    private final Worker worker;
    private final ByteBuffer[] slices;
    private final CountDownLatch finished;
    private final Slot[] slots;
    private final ScheduledExecutorService later;
    private boolean signalled;

    /** @param slices one buffer per slot, the memory of the worker's slot buffers */
    RemoteClient(final RemoteNvmeq remote, final Worker worker, final ByteBuffer[] slices, final CountDownLatch finished)
    {
        this.remote = remote;
        this.worker = worker;
        this.slices = slices;
        this.finished = finished;
        this.slots = new Slot[worker.slots()];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Slot(i);
        }
        this.later = worker.job().rateIntervalNs == 0 ? null : Executors.newSingleThreadScheduledExecutor(task ->
        {
            final Thread thread = new Thread(task, "nvmeq-bench-remote-rate");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start()
    {
        synchronized (worker)
        {
            final long now = System.nanoTime();
            for (final Slot slot : slots)
            {
                next(slot, now);
            }
        }
    }

    private void next(final Slot slot, final long now)
    {
        if (worker.mayIssue(now))
        {
            issue(slot, now);
        }
        else if (worker.waitNs() > 0)
        {
            later.schedule(slot.retry, worker.waitNs(), TimeUnit.NANOSECONDS);
        }
        else if (!signalled && worker.finished(now))
        {
            signalled = true;
            if (later != null)
            {
                later.shutdown();
            }
            finished.countDown();
        }
    }

    private void issue(final Slot slot, final long now)
    {
        final int index = slot.index;
        final JobSpec spec = worker.job().spec;
        worker.issue(index, now);
        if (worker.isRead(index))
        {
            remote.read(spec.nsid(), worker.lba(index), worker.lbaCount(), slices[index]).whenComplete(slot);
        }
        else
        {
            remote.write(spec.nsid(), worker.lba(index), worker.lbaCount(), slices[index], spec.fua()).whenComplete(slot);
        }
    }

    private final class Slot implements BiConsumer<Void, Throwable>
    {
        private final int index;
        private final Runnable retry = this::retryNow;

        Slot(final int index)
        {
            this.index = index;
        }

        @Override
        public void accept(final Void ignored, final Throwable failure)
        {
            synchronized (worker)
            {
                final long now = System.nanoTime();
                if (failure == null)
                {
                    worker.completed(index, now);
                }
                else
                {
                    final Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    worker.failed(index, String.valueOf(cause.getMessage()));
                }
                next(this, now);
            }
        }

        private void retryNow()
        {
            synchronized (worker)
            {
                next(this, System.nanoTime());
            }
        }
    }
}
