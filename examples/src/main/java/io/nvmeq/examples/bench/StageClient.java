package io.nvmeq.examples.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A job driven through an API that answers with CompletionStages, as a non-actor application would use it: each
 * slot issues its next I/O from the completion of its last. Completions arrive on the API's own thread while
 * the first requests are issued from the caller's, so the worker is guarded by its monitor (uncontended once
 * running). Each slot's callback is allocated once; what the API allocates per request is its own.
 * Subclasses say only how one I/O is sent ({@link #send}).
 */
abstract class StageClient
{
    protected final Worker worker;
    private final CountDownLatch finished;
    private final Slot[] slots;
    /** --rate_iops: a slot's next turn is scheduled here (a daemon thread, made only for a rate-capped job). */
    private final ScheduledExecutorService later;
    private boolean signalled;

    StageClient(final Worker worker, final CountDownLatch finished, final String rateThreadName)
    {
        this.worker = worker;
        this.finished = finished;
        this.slots = new Slot[worker.slots()];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Slot(i);
        }
        this.later = worker.job().rateIntervalNs == 0 ? null : Executors.newSingleThreadScheduledExecutor(task ->
        {
            final Thread thread = new Thread(task, rateThreadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Sends slot {@code index}'s I/O (a read if {@code read}, else a write) as the worker laid it out. */
    protected abstract CompletionStage<Void> send(int index, boolean read, JobSpec spec);

    final void start()
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
        worker.issue(index, now);
        try
        {
            send(index, worker.isRead(index), worker.job().spec).whenComplete(slot);
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
