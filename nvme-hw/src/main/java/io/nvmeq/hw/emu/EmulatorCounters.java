package io.nvmeq.hw.emu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the emulated controller has done, for tests, the CLI and the SMART log. Updated from every
 * queue thread without allocating; read at any time (each counter is exact, the set is not a snapshot).
 */
public final class EmulatorCounters
{
    final AtomicLong adminCommands = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();
    final AtomicLong writeZeroes = new AtomicLong();
    final AtomicLong datasetManagement = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong invalidDoorbellWrites = new AtomicLong();

    public long adminCommands()
    {
        return adminCommands.get();
    }

    public long reads()
    {
        return reads.get();
    }

    public long writes()
    {
        return writes.get();
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
        return bytesRead.get();
    }

    /** Bytes the host wrote (NVM Write data). */
    public long bytesWritten()
    {
        return bytesWritten.get();
    }

    /** Doorbell writes ignored: a queue that does not exist, a value past the queue, a disabled controller. */
    public long invalidDoorbellWrites()
    {
        return invalidDoorbellWrites.get();
    }

    /** SMART "Data Units Read": thousands of 512-byte units, rounded up (NVMe base spec 2.0 §5.16.1.3). */
    public long dataUnitsRead()
    {
        return (bytesRead.get() / 512 + 999) / 1000;
    }

    public long dataUnitsWritten()
    {
        return (bytesWritten.get() / 512 + 999) / 1000;
    }
}
