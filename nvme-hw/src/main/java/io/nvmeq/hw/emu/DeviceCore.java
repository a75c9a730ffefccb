package io.nvmeq.hw.emu;

import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * One thread of the emulated controller's own: a core of the device. It serves the submission queues
 * whose id is {@code index} modulo {@code stride}: fetches their new entries through the IOMMU, executes
 * them and posts their completions (which raise the completion queue's interrupt vector), posts
 * completions that a latency model or an injected delay held back once their time comes, and raises
 * coalesced interrupts whose aggregation time passed.
 *
 * <p>It spins while there is work and for {@link #SPIN_NANOS} after the last of it, so that a host
 * working at queue depth 1 finds it awake; then it parks until a doorbell wakes it (or, with held-back
 * completions, until the next of them may be due). The hand-off is Dekker's: the doorbell writes the
 * tail and then reads {@link #parked}; the core writes {@link #parked} and then reads the tails again,
 * so one of the two always sees the other.
 *
 * <p>It runs on one CPU ({@code cpu}, or anywhere when that is -1): the cores take the process's CPUs from
 * the highest down, while a driver's pinned poll threads take them from the lowest up, so that on a small
 * machine the device and the host's queue thread do not share a CPU and take turns.
 *
 * <p>Every DMA it does happens inside {@link SubmissionQueue#process()} (under the queue's lock) or a
 * completion queue's monitor: deleting the queues (Delete I/O SQ/CQ, CC.EN = 0, shutdown, close) waits
 * for the command it executes and stops it from touching the rings afterwards.
 */
final class DeviceCore implements Runnable
{
    /** How long an idle core keeps spinning before it parks: a few host round trips at queue depth 1. */
    static final long SPIN_NANOS = 50_000;
    /** A held-back completion or aggregate is looked at least this often while parked. */
    private static final long TIMED_PARK_NANOS = 20_000;
    /** Idle loops between two clock reads. */
    private static final int CLOCK_EVERY = 64;

    private static final Logger LOG = LoggerFactory.getLogger(DeviceCore.class);

    private final EmulatedController controller;
    private final int cpu;
    private final int index;
    private final int stride;
    private final Thread thread;

    private volatile boolean running = true;
    private volatile boolean parked;
    /** Loops that found work (a figure for tests and profiles). */
    private volatile long busyLoops;

    DeviceCore(final EmulatedController controller, final int index, final int stride, final int cpu, final String name)
    {
        this.controller = controller;
        this.cpu = cpu;
        this.index = index;
        this.stride = stride;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /** An SQ tail (or a CQ head that frees room) was written: wake the core if it parked. */
    void doorbell()
    {
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    /** Stops the loop and waits for it (bounded): returns false if the thread did not end in time. */
    boolean stop(final long timeoutMillis) throws InterruptedException
    {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread)
        {
            return true;
        }
        thread.join(timeoutMillis);
        return !thread.isAlive();
    }

    long busyLoops()
    {
        return busyLoops;
    }

    /** The CPU this core is pinned to, or -1. */
    int cpu()
    {
        return cpu;
    }

    @Override
    public void run()
    {
        if (cpu >= 0)
        {
            try
            {
                CpuAffinity.pinCurrentThread(cpu);
            }
            catch (final RuntimeException | LinkageError ex)
            {
                LOG.warn("emulated controller: device thread {} runs unpinned: {}", thread.getName(), ex.getMessage());
            }
        }
        long idleSince = 0;
        int idleLoops = 0;
        while (running)
        {
            if (serve())
            {
                busyLoops++;
                idleLoops = 0;
                idleSince = 0;
                continue;
            }
            if (++idleLoops % CLOCK_EVERY != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final long now = System.nanoTime();
            if (idleSince == 0)
            {
                idleSince = now;
            }
            else if (now - idleSince >= SPIN_NANOS)
            {
                park();
                idleSince = 0;
            }
        }
    }

    /** One pass over this core's queues; true if it executed or posted anything. */
    private boolean serve()
    {
        if (!controller.isRunning())
        {
            // Disabled, failed or removed: a real device's cores would not touch host memory either.
            return false;
        }
        boolean worked = false;
        final int slots = controller.queueSlots();
        for (int qid = index; qid < slots; qid += stride)
        {
            final SubmissionQueue sq = controller.submissionQueue(qid);
            if (sq == null)
            {
                continue;
            }
            final CompletionQueue cq = sq.cq;
            if (cq.nextDue() != CompletionQueue.NEVER && System.nanoTime() >= cq.nextDue())
            {
                cq.postDue(System.nanoTime());
                worked = true;
            }
            cq.tickInterrupt();
            if (sq.hasWork() && !sq.isStalled())
            {
                sq.process();
                worked = true;
            }
        }
        return worked;
    }

    private void park()
    {
        parked = true;
        // Look once more after publishing the flag: a doorbell written before it is seen here.
        if (running && !hasWork())
        {
            if (hasTimedWork())
            {
                LockSupport.parkNanos(this, TIMED_PARK_NANOS);
            }
            else
            {
                LockSupport.park(this);
            }
        }
        parked = false;
    }

    private boolean hasWork()
    {
        final int slots = controller.queueSlots();
        for (int qid = index; qid < slots; qid += stride)
        {
            final SubmissionQueue sq = controller.submissionQueue(qid);
            if (sq != null && sq.hasWork() && !sq.isStalled())
            {
                return true;
            }
        }
        return false;
    }

    private boolean hasTimedWork()
    {
        final int slots = controller.queueSlots();
        for (int qid = index; qid < slots; qid += stride)
        {
            final SubmissionQueue sq = controller.submissionQueue(qid);
            if (sq != null && (sq.cq.nextDue() != CompletionQueue.NEVER || sq.cq.interruptDeadline() != Long.MAX_VALUE))
            {
                return true;
            }
        }
        return false;
    }
}
