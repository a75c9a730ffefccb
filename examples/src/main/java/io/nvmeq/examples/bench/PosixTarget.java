package io.nvmeq.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * The baseline, as QEMU's POSIX block driver does it: a file read and written through the kernel with
 * positional {@link FileChannel} I/O (pread/pwrite). Java has no libaio, so a queue depth of N is N threads each
 * doing synchronous I/O — fio's {@code psync} engine with {@code numjobs=iodepth}. FUA writes go through a
 * second channel opened with {@code O_DSYNC}.
 */
final class PosixTarget implements BenchTarget
{
    /** POSIX I/O has no device block size; 512 keeps offsets sector-aligned as they would be for O_DIRECT. */
    static final int SECTOR = 512;
    /** Threads a workload may start: iodepth x numjobs. */
    static final int MAX_THREADS = 256;

    private final Path file;
    private final boolean deleteOnClose;
    /** The CPUs the I/O threads may run on, or null: wherever the kernel puts them. */
    private final BitSet cpus;
    private final FileChannel channel;
    private FileChannel dsync;
    private ByteBuffer transfer;
    private UnsafeBuffer transferView;

    /**
     * Opens (creating if needed) {@code file}.
     *
     * @param deleteOnClose remove the file when closed (a scratch file the benchmark made itself)
     */
    PosixTarget(final Path file, final boolean deleteOnClose) throws IOException
    {
        this(file, deleteOnClose, null);
    }

    /** @param cpus the CPUs its I/O threads may run on (null: any), to give it the same CPUs as the other side */
    PosixTarget(final Path file, final boolean deleteOnClose, final BitSet cpus) throws IOException
    {
        this.file = file;
        this.deleteOnClose = deleteOnClose;
        this.cpus = cpus == null ? null : (BitSet)cpus.clone();
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    }

    Path file()
    {
        return file;
    }

    @Override
    public String engineName()
    {
        return "posix-psync";
    }

    @Override
    public String description()
    {
        return file + " through the kernel: FileChannel pread/pwrite, one thread per outstanding I/O (fio's psync " +
            "with numjobs=iodepth)" + (cpus == null ? "" : ", on CPUs " + cpus);
    }

    @Override
    public int lbaSize(final int nsid)
    {
        return SECTOR;
    }

    /** The file's size; a job with {@code --size} may grow it when laying it out. */
    @Override
    public long capacity(final int nsid)
    {
        try
        {
            return channel.size();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public int maxTransfer()
    {
        return 1 << 20;
    }

    @Override
    public int maxJobs()
    {
        return Integer.MAX_VALUE;
    }

    @Override
    public UnsafeBuffer transferBuffer(final int bytes)
    {
        if (transfer == null || transfer.capacity() < bytes)
        {
            transfer = ByteBuffer.allocateDirect(bytes);
            transferView = new UnsafeBuffer(transfer);
        }
        return transferView;
    }

    @Override
    public void transfer(final boolean write, final int nsid, final long offset, final int length)
    {
        try
        {
            transfer.clear().limit(length);
            if (write)
            {
                writeFully(channel, transfer, offset);
            }
            else
            {
                readFully(channel, transfer, offset);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public Running start(final List<JobContext> jobs)
    {
        int threadCount = 0;
        for (final JobContext job : jobs)
        {
            threadCount += job.spec.iodepth();
        }
        if (threadCount > MAX_THREADS)
        {
            throw new IllegalArgumentException("the posix engine runs iodepth x numjobs threads; " + threadCount +
                " is more than " + MAX_THREADS);
        }
        final boolean fua = jobs.get(0).spec.fua();
        if (fua && dsync == null)
        {
            try
            {
                dsync = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        final List<Worker> workers = new ArrayList<>(threadCount);
        final List<Thread> threads = new ArrayList<>(threadCount);
        for (final JobContext job : jobs)
        {
            for (int t = 0; t < job.spec.iodepth(); t++)
            {
                final ByteBuffer buffer = ByteBuffer.allocateDirect(job.spec.bs());
                final Worker worker = new Worker(job, t, new UnsafeBuffer[] {new UnsafeBuffer(buffer)},
                    Worker.jobSeed(job) * 1021 + t);
                workers.add(worker);
                threads.add(ThreadedRun.daemon(new Driver(channel, fua ? dsync : channel, worker, buffer, cpus),
                    "nvmeq-bench-posix-" + job.index + "-" + t));
            }
        }
        return ThreadedRun.start(workers, threads, List.of());
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
            if (dsync != null)
            {
                dsync.close();
            }
            if (deleteOnClose)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void readFully(final FileChannel channel, final ByteBuffer buffer, final long offset) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, offset + buffer.position()) < 0)
            {
                throw new IOException("end of file at offset " + (offset + buffer.position()) + ": the file is " +
                    "shorter than the job's region");
            }
        }
    }

    static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long offset) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer, offset + buffer.position());
        }
    }

    /** One outstanding I/O's thread: synchronous positional I/O, back to back, until the job ends. */
    private static final class Driver implements Runnable
    {
        private final FileChannel reads;
        private final FileChannel writes;
        private final Worker worker;
        private final ByteBuffer buffer;
        private final BitSet cpus;

        Driver(final FileChannel reads, final FileChannel writes, final Worker worker, final ByteBuffer buffer,
            final BitSet cpus)
        {
            this.cpus = cpus;
            this.reads = reads;
            this.writes = writes;
            this.worker = worker;
            this.buffer = buffer;
        }

        @Override
        public void run()
        {
            if (cpus != null)
            {
                try
                {
                    CpuAffinity.restrictCurrentThread(cpus);
                }
                catch (final RuntimeException ex)
                {
                    worker.failed(0, "cannot run on CPUs " + cpus + ": " + ex.getMessage());
                    return;
                }
            }
            long now = System.nanoTime();
            while (true)
            {
                if (!worker.mayIssue(now))
                {
                    if (worker.waitNs() == 0)
                    {
                        return;
                    }
                    LockSupport.parkNanos(worker.waitNs());
                    now = System.nanoTime();
                    continue;
                }
                worker.issue(0, now);
                buffer.clear();
                try
                {
                    if (worker.isRead(0))
                    {
                        readFully(reads, buffer, worker.offset(0));
                    }
                    else
                    {
                        writeFully(writes, buffer, worker.offset(0));
                    }
                    now = System.nanoTime();
                    worker.completed(0, now);
                }
                catch (final IOException | RuntimeException ex)
                {
                    worker.failed(0, String.valueOf(ex.getMessage()));
                    return;
                }
            }
        }
    }
}
