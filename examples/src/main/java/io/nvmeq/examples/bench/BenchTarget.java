package io.nvmeq.examples.bench;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Something a job runs against, on one engine: the actor path, the raw engine, or a POSIX file. It lays data
 * out and reads it back synchronously (outside the measurement), and starts the timed workload.
 */
interface BenchTarget extends AutoCloseable
{
    /** fio's ioengine name for the report, e.g. {@code nvmeq-actors}. */
    String engineName();

    /** The device or file, and how it is driven, in words. */
    String description();

    /** The logical block size: every I/O is a multiple of it and aligned to it. */
    int lbaSize(int nsid);

    /** Bytes addressable in the namespace or file. */
    long capacity(int nsid);

    /** The largest I/O in one command. */
    int maxTransfer();

    /** Jobs that can run at once (queue pairs), or {@link Integer#MAX_VALUE}. */
    int maxJobs();

    /** A buffer for synchronous transfers of up to {@code bytes}; {@link #transfer} moves data through it. */
    UnsafeBuffer transferBuffer(int bytes);

    /** Writes (or reads, {@code write == false}) {@code length} bytes at {@code offset} through the transfer buffer. */
    void transfer(boolean write, int nsid, long offset, int length);

    /** The figures for {@code jobs[].nvmeq}; null for a target without queue-pair actors. */
    default NvmeqFigures nvmeqFigures()
    {
        return null;
    }

    /** The duty-cycle figures of {@link #nvmeqFigures()} start afresh: called when the ramp ends. */
    default void resetDutyCycles()
    {
    }

    /** Starts the workload of {@code jobs}; the drivers stop by themselves at each job's end. */
    Running start(List<JobContext> jobs);

    /** A started workload. */
    interface Running
    {
        List<Worker> workers();

        /**
         * Waits until every driver has finished, at most {@code timeoutNs}.
         *
         * @return false if some driver still had I/O outstanding at the deadline
         */
        boolean await(long timeoutNs) throws InterruptedException;

        /** Releases the workload's buffers and threads (after {@link #await}). */
        void release();
    }

    @Override
    void close();
}
