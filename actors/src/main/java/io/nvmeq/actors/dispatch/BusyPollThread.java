package io.nvmeq.actors.dispatch;

import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * The one thread of a {@link BusyPollExecutor}. It pins itself to its CPU before its first task, so
 * every actor that runs on it runs on that CPU, and it never ends while the executor runs: the
 * affinity set once holds for the dispatcher's life.
 */
public final class BusyPollThread extends Thread
{
    private final BusyPollExecutor executor;
    private final int requestedCpu;
    private volatile int pinnedCpu = -1;
    private volatile int threadId = -1;
    private volatile Throwable pinFailure;

    BusyPollThread(final BusyPollExecutor executor, final String name, final int requestedCpu)
    {
        super(name);
        this.executor = executor;
        this.requestedCpu = requestedCpu;
        // An orphaned poll thread must never keep a JVM alive; the executor is shut down with its dispatcher.
        setDaemon(true);
    }

    /** The executor whose duty cycle the calling thread runs, or null if it is not a busy-poll thread. */
    public static BusyPollExecutor currentExecutor()
    {
        return Thread.currentThread() instanceof BusyPollThread thread ? thread.executor : null;
    }

    /** The calling busy-poll thread, or null. */
    public static BusyPollThread current()
    {
        return Thread.currentThread() instanceof BusyPollThread thread ? thread : null;
    }

    public BusyPollExecutor executor()
    {
        return executor;
    }

    /** The CPU this thread was configured for; -1 = not pinned by configuration. */
    public int requestedCpu()
    {
        return requestedCpu;
    }

    /** The CPU this thread is pinned to, or -1 (not requested, or pinning failed: see {@link #pinFailure()}). */
    public int pinnedCpu()
    {
        return pinnedCpu;
    }

    /** The kernel's thread id (gettid), for sched_getaffinity; -1 before the thread started. */
    public int threadId()
    {
        return threadId;
    }

    /** Why pinning failed, or null. */
    public Throwable pinFailure()
    {
        return pinFailure;
    }

    @Override
    public void run()
    {
        threadId = CpuAffinity.currentThreadId();
        if (requestedCpu >= 0)
        {
            try
            {
                CpuAffinity.pinCurrentThread(requestedCpu);
                pinnedCpu = requestedCpu;
            }
            catch (final RuntimeException ex)
            {
                // The thread still serves its actors (unpinned) so that nothing hangs; the failure is
                // logged by the executor and visible in every queue pair's status.
                pinFailure = ex;
            }
        }
        executor.runDutyCycle(this);
    }
}
