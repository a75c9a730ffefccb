package io.nvmeq.hw.emu;

import java.util.concurrent.locks.ReentrantLock;

import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * A submission queue ring in host memory. A tail doorbell write fetches the new entries through the
 * IOMMU and executes them on the writer's thread (the emulator has no thread of its own), posting each
 * completion before the next command runs. Its lock serialises the host's doorbell thread with the
 * CQ head doorbell or poll that resumes a queue stalled on a full completion queue, and with deletion.
 */
final class SubmissionQueue
{
    final int qid;
    final long baseIova;
    final int size;
    final CompletionQueue cq;
    private final EmulatedIommu iommu;
    private final CommandSet commands;
    private final EmulatedController controller;
    private final EmulatorCounters counters;
    private final CommandContext context;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile int tail;
    private int head;
    /** Entries are waiting for completion queue space. */
    private volatile boolean stalled;
    private volatile boolean deleted;

    SubmissionQueue(
        final int qid, final long baseIova, final int size, final CompletionQueue cq, final CommandSet commands,
        final EmulatedController controller, final PrpList prps)
    {
        this.qid = qid;
        this.baseIova = baseIova;
        this.size = size;
        this.cq = cq;
        this.commands = commands;
        this.controller = controller;
        this.iommu = controller.iommu();
        this.counters = controller.counters();
        this.context = new CommandContext(qid, prps);
    }

    /** Returns false for an Invalid Doorbell Write Value (ignored). */
    boolean tailDoorbell(final int newTail)
    {
        if (newTail < 0 || newTail >= size)
        {
            return false;
        }
        tail = newTail;
        process();
        return true;
    }

    boolean isStalled()
    {
        return stalled;
    }

    /** Fetches and executes every entry up to the tail that has room in the completion queue. */
    void process()
    {
        lock.lock();
        try
        {
            while (!deleted && controller.isRunning())
            {
                final int currentTail = tail;
                if (head == currentTail)
                {
                    return;
                }
                final int pending = currentTail > head ? currentTail - head : currentTail + size - head;
                int granted = cq.reserve(pending);
                if (granted == 0)
                {
                    // Flag first, then look again: a head doorbell that freed space in between sees the flag.
                    stalled = true;
                    granted = cq.reserve(pending);
                    if (granted == 0)
                    {
                        return;
                    }
                }
                stalled = false;
                for (int i = 0; i < granted; i++)
                {
                    if (!executeNext())
                    {
                        for (int j = i + 1; j < granted; j++)
                        {
                            cq.release();
                        }
                        return;
                    }
                }
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Stops the queue: nothing more is fetched from it. Waits for a command executing now. */
    void delete()
    {
        lock.lock();
        try
        {
            deleted = true;
            stalled = false;
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean executeNext()
    {
        final long entryIova = baseIova + (long)head * SubmissionEntry.SIZE;
        if (!iommu.readHost(entryIova, context.entryMemory.addressOffset(), SubmissionEntry.SIZE))
        {
            cq.release();
            controller.fatal("submission queue " + qid + " entry at unmapped IOVA 0x" + Long.toHexString(entryIova));
            return false;
        }
        head = head + 1 == size ? 0 : head + 1;
        context.dw0 = 0;
        final int status = commands.execute(context);
        if (status == CommandSet.NO_COMPLETION)
        {
            cq.release();
            return true;
        }
        if (!Status.isSuccess(status))
        {
            counters.errors.incrementAndGet();
        }
        if (!cq.post(context.dw0, head, qid, context.entry.commandId(), status))
        {
            controller.fatal("completion queue " + cq.qid + " is not mapped");
            return false;
        }
        return true;
    }
}
