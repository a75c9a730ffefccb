package io.nvmeq.examples.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchTarget.Running} whose drivers each count {@code finished} down once when their last I/O is
 * answered (the stage and actor clients): waiting is waiting for the latch, releasing is the target's own.
 */
final class LatchedRun implements BenchTarget.Running
{
    private final List<Worker> workers;
    private final CountDownLatch finished;
    private final Runnable release;

    /** @param release frees the workload's buffers and stops its clients (after {@link #await}) */
    LatchedRun(final List<Worker> workers, final CountDownLatch finished, final Runnable release)
    {
        this.workers = workers;
        this.finished = finished;
        this.release = release;
    }

    @Override
    public List<Worker> workers()
    {
        return workers;
    }

    @Override
    public boolean await(final long timeoutNs) throws InterruptedException
    {
        return finished.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void release()
    {
        release.run();
    }
}
