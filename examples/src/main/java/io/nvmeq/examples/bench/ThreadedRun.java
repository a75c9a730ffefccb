package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.nvmeq.engine.DmaBuffer;

/**
 * A workload driven by plain daemon threads, each running one driver until its job ends: it is done when every
 * thread has ended, and only then are the DMA buffers the drivers' I/O went through closed (the device must
 * never write into a freed buffer).
 */
final class ThreadedRun implements BenchTarget.Running
{
    private final List<Worker> workers;
    private final List<Thread> threads;
    private final List<DmaBuffer> buffers;

    /** What drives one job's worker on its thread. */
    @FunctionalInterface
    interface DriverFactory
    {
        Runnable driver(JobContext job, Worker worker, DmaBuffer buffer);
    }

    /**
     * One thread per job, named {@code namePrefix} and the job's index: each job gets a DMA buffer of
     * {@code bs * iodepth} bytes from {@code allocate}, one worker over all its slots, and a driver from
     * {@code drivers}. Starts them all.
     */
    static ThreadedRun startPerJob(final List<JobContext> jobs, final IntFunction<DmaBuffer> allocate,
        final DriverFactory drivers, final String namePrefix)
    {
        final List<Worker> workers = new ArrayList<>(jobs.size());
        final List<Thread> threads = new ArrayList<>(jobs.size());
        final List<DmaBuffer> buffers = new ArrayList<>(jobs.size());
        for (final JobContext job : jobs)
        {
            final DmaBuffer buffer = allocate.apply(job.spec.bs() * job.spec.iodepth());
            buffers.add(buffer);
            final Worker worker = Worker.forJob(job, buffer.buffer());
            workers.add(worker);
            threads.add(daemon(drivers.driver(job, worker, buffer), namePrefix + job.index));
        }
        return start(workers, threads, buffers);
    }

    /** Starts every one of {@code threads}. */
    static ThreadedRun start(final List<Worker> workers, final List<Thread> threads, final List<DmaBuffer> buffers)
    {
        threads.forEach(Thread::start);
        return new ThreadedRun(workers, threads, buffers);
    }

    /** A daemon thread named {@code name} that runs {@code driver}, not yet started. */
    static Thread daemon(final Runnable driver, final String name)
    {
        final Thread thread = new Thread(driver, name);
        thread.setDaemon(true);
        return thread;
    }

    private ThreadedRun(final List<Worker> workers, final List<Thread> threads, final List<DmaBuffer> buffers)
    {
        this.workers = workers;
        this.threads = threads;
        this.buffers = buffers;
    }

    @Override
    public List<Worker> workers()
    {
        return workers;
    }

    @Override
    public boolean await(final long timeoutNs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        for (final Thread thread : threads)
        {
            TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
            if (thread.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void release()
    {
        for (final Thread thread : threads)
        {
            if (thread.isAlive())
            {
                return;
            }
        }
        buffers.forEach(DmaBuffer::close);
    }
}
