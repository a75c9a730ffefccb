package io.nvmeq.hw.emu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * What the emulated controller has done, for tests, the CLI and the SMART log. Updated from every
 * queue thread without allocating; read at any time (each counter is exact, the set is not a snapshot).
 * Reads and writes, counted on every command, are kept per submission queue ({@link IoCounters}) and
 * summed here under a lock that only readers and queue creation and deletion take.
 */
public final class EmulatorCounters
{
    final AtomicLong adminCommands = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();
    final AtomicLong writeZeroes = new AtomicLong();
    final AtomicLong datasetManagement = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong invalidDoorbellWrites = new AtomicLong();

    /** The counters of queues that exist; copy-on-write under this object's monitor. */
    private IoCounters[] queues = new IoCounters[0];
    /** What deleted queues counted (under the monitor): a deleted queue's counts fold in here. */
    private final IoCounters retired = new IoCounters();

    /** Counters for a new submission queue; {@link #retire} them when it is deleted. */
    synchronized IoCounters forQueue()
    {
        final IoCounters counters = new IoCounters();
        final IoCounters[] next = Arrays.copyOf(queues, queues.length + 1);
        next[queues.length] = counters;
        queues = next;
        return counters;
    }

    /** A deleted queue's counts (it executes nothing more) move to {@link #retired}; idempotent. */
    synchronized void retire(final IoCounters counters)
    {
        final int at = Arrays.asList(queues).indexOf(counters);
        if (at < 0)
        {
            return;
        }
        retired.add(counters);
        final IoCounters[] next = new IoCounters[queues.length - 1];
        System.arraycopy(queues, 0, next, 0, at);
        System.arraycopy(queues, at + 1, next, at, queues.length - at - 1);
        queues = next;
    }

    public long adminCommands()
    {
        return adminCommands.get();
    }

    public long reads()
    {
        return sum(IoCounters::reads);
    }

    public long writes()
    {
        return sum(IoCounters::writes);
    }

    public long flushes()
    {
        return flushes.get();
    }

    public long writeZeroes()
    {
        return writeZeroes.get();
    }

    public long datasetManagement()
    {
        return datasetManagement.get();
    }

    /** Commands (admin and I/O) that completed with a status other than success. */
    public long errors()
    {
        return errors.get();
    }

    /** Bytes the host read (NVM Read data). */
    public long bytesRead()
    {
        return sum(IoCounters::bytesRead);
    }

    /** Bytes the host wrote (NVM Write data). */
    public long bytesWritten()
    {
        return sum(IoCounters::bytesWritten);
    }

    /** One of the queues' counts, summed over the queues there are and those deleted. */
    private synchronized long sum(final ToLongFunction<IoCounters> count)
    {
        long sum = count.applyAsLong(retired);
        for (final IoCounters queue : queues)
        {
            sum += count.applyAsLong(queue);
        }
        return sum;
    }

    /** Doorbell writes ignored: a queue that does not exist, a value past the queue, a disabled controller. */
    public long invalidDoorbellWrites()
    {
        return invalidDoorbellWrites.get();
    }

    /** SMART "Data Units Read": thousands of 512-byte units, rounded up (NVMe base spec 2.0 §5.16.1.3). */
    public long dataUnitsRead()
    {
        return (bytesRead() / 512 + 999) / 1000;
    }

    public long dataUnitsWritten()
    {
        return (bytesWritten() / 512 + 999) / 1000;
    }
}
