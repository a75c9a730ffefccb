package io.nvmeq.examples.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;

/**
 * The actor path driven from outside, as a non-actor application would: requests through the {@link Nvmeq}
 * facade's CompletionStages, the next one issued from the completion of the last. Completions arrive on the
 * facade's reply router thread while the first requests are issued from the caller's, so the worker is guarded
 * by its monitor (uncontended once running). Each slot's callback is allocated once; the facade itself
 * allocates a future per request.
 */
final class FacadeClient
{
    private final Nvmeq nvmeq;
    private final int queue;
    private final Worker worker;
    private final DmaBuffer buffer;
    private final CountDownLatch finished;
    private final Slot[] slots;
    /** --rate_iops: a slot's next turn is scheduled here (a daemon thread, made only for a rate-capped job). */
    private final ScheduledExecutorService later;
    private boolean signalled;

    FacadeClient(final Nvmeq nvmeq, final int queue, final Worker worker, final DmaBuffer buffer,
        final CountDownLatch finished)
    {
        this.nvmeq = nvmeq;
        this.queue = queue;
        this.worker = worker;
        this.buffer = buffer;
        this.finished = finished;
        this.slots = new Slot[worker.slots()];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Slot(i);
        }
        this.later = worker.job().rateIntervalNs == 0 ? null : Executors.newSingleThreadScheduledExecutor(task ->
        {
            final Thread thread = new Thread(task, "nvmeq-bench-rate-" + queue);
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

    /** Called with the worker's monitor held: the slot's next I/O now, later (--rate_iops), or none. */
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
        else
        {
            signalIfFinished(now);
        }
    }

    /** Called with the worker's monitor held. */
    private void issue(final Slot slot, final long now)
    {
        final int index = slot.index;
        final JobSpec spec = worker.job().spec;
        worker.issue(index, now);
        try
        {
            if (worker.isRead(index))
            {
                nvmeq.queue(queue).read(spec.nsid(), worker.lba(index), worker.lbaCount(), buffer, index * spec.bs())
                    .whenComplete(slot);
            }
            else
            {
                nvmeq.queue(queue).write(spec.nsid(), worker.lba(index), worker.lbaCount(), buffer, index * spec.bs(),
                    spec.fua()).whenComplete(slot);
            }
        }
        catch (final RuntimeException ex)
        {
            worker.failed(index, ex.getMessage());
        }
    }

    private void signalIfFinished(final long now)
    {
        if (!signalled && worker.finished(now))
        {
            signalled = true;
            if (later != null)
            {
                later.shutdown();
            }
            finished.countDown();
        }
    }

    private final class Slot implements BiConsumer<Void, Throwable>
    {
        private final int index;
        /** Made once: scheduling a retry allocates nothing of the slot's own. */
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
