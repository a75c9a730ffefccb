package io.nvmeq.examples.bench;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The load generator's state for the slots one thread drives: what each outstanding I/O is (read or write,
 * which block, when it was issued), the latency histograms and counts of the measured window, and the first
 * failure. Engine drivers call {@link #issue}, submit the I/O their way, then {@link #completed} or
 * {@link #failed}. Thread-confined (the driver's one thread); only {@link #completions()} and the failure are
 * read by the reporting thread while it runs. Nothing here allocates per I/O: HdrHistogram records into
 * pre-sized counts.
 */
final class Worker
{
    /** Latencies above an hour are recorded as an hour; none should come near it. */
    static final long HIGHEST_LATENCY_NS = 3_600_000_000_000L;

    private final JobContext job;
    private final int firstStripe;
    private final int slots;
    private final UnsafeBuffer[] buffers;
    private final long[] blocks;
    private final boolean[] reads;
    private final long[] started;
    private final long[] sequences;
    private final SplittableRandom random;
    private final BlockCodec codec;
    private final int readPercent;
    private final AbstractHistogram readLatency = new IntCountsHistogram(HIGHEST_LATENCY_NS, 3);
    private final AbstractHistogram writeLatency = new IntCountsHistogram(HIGHEST_LATENCY_NS, 3);
    private final AtomicLong completions = new AtomicLong();
    /** Measured-window I/Os by direction, readable while the job runs (bandwidth and IOPS samples). */
    private final AtomicLong readCount = new AtomicLong();
    private final AtomicLong writeCount = new AtomicLong();
    /** fio's iodepth_level: I/Os issued at depth 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64 and more. */
    private final long[] depthLevels = new long[7];
    private long lastCompletionAt;
    private boolean exhausted;
    private long waitNs;
    private long completed;
    private long readIos;
    private long writeIos;
    private long verifiedReads;
    private int inFlight;
    private volatile String ioFailure;
    private volatile String verifyFailure;

    /**
     * @param firstStripe the job-wide index of this worker's slot 0 (its stripe when verifying)
     * @param buffers     one {@code bs}-byte buffer per slot, each the I/O's source or destination
     * @param seed        this worker's own random stream
     */
    Worker(final JobContext job, final int firstStripe, final UnsafeBuffer[] buffers, final long seed)
    {
        this.job = job;
        this.firstStripe = firstStripe;
        this.slots = buffers.length;
        this.buffers = buffers;
        this.blocks = new long[slots];
        this.reads = new boolean[slots];
        this.started = new long[slots];
        this.sequences = new long[slots];
        this.random = new SplittableRandom(seed);
        this.codec = job.spec.verify() ? new BlockCodec(job.spec.bs(), job.lbaSize, job.spec.seed()) : null;
        this.readPercent = job.spec.readPercent();
        if (codec == null)
        {
            // Without verification writes carry the same pseudo-random bytes every time, as fio's do by default.
            final SplittableRandom fill = new SplittableRandom(job.spec.seed() ^ 0x5DEECE66DL);
            for (final UnsafeBuffer buffer : buffers)
            {
                for (int i = 0; i < buffer.capacity(); i += Long.BYTES)
                {
                    buffer.putLong(i, fill.nextLong());
                }
            }
        }
    }

    /**
     * The one worker that drives all of {@code job}'s iodepth slots, slot {@code i} being the {@code bs} bytes at
     * {@code i * bs} of {@code memory} (which holds at least {@code bs * iodepth} bytes).
     */
    static Worker forJob(final JobContext job, final UnsafeBuffer memory)
    {
        final int bs = job.spec.bs();
        final UnsafeBuffer[] slots = new UnsafeBuffer[job.spec.iodepth()];
        for (int slot = 0; slot < slots.length; slot++)
        {
            slots[slot] = new UnsafeBuffer(memory, slot * bs, bs);
        }
        return new Worker(job, 0, slots, jobSeed(job));
    }

    /** The random stream's seed of {@code job}'s first worker; further workers of one job derive theirs from it. */
    static long jobSeed(final JobContext job)
    {
        return job.spec.seed() * 31 + job.index;
    }

    int slots()
    {
        return slots;
    }

    /**
     * True while the job runs, nothing has failed and io_size is not done: the driver may (and must) issue one
     * more I/O, which this call has counted against the job's io_size.
     */
    boolean mayIssue(final long now)
    {
        if (stopped(now))
        {
            waitNs = 0;
            return false;
        }
        waitNs = job.rateWait(now);
        if (waitNs > 0)
        {
            return false;
        }
        if (!job.claim())
        {
            exhausted = true;
            return false;
        }
        return true;
    }

    /**
     * After {@link #mayIssue} said no: how long until the job's --rate_iops lets it issue (the driver retries
     * then), or 0 when it issues nothing more.
     */
    long waitNs()
    {
        return waitNs;
    }

    /** The job issues nothing more: its time is up, it was stopped, it failed, or its io_size is done. */
    private boolean stopped(final long now)
    {
        return exhausted || now >= job.endAt || job.stop.get() || ioFailure != null || verifyFailure != null;
    }

    /** Nothing is outstanding and nothing more will be issued. */
    boolean finished(final long now)
    {
        return inFlight == 0 && (stopped(now) || job.budget.get() <= 0);
    }

    int inFlight()
    {
        return inFlight;
    }

    /** Decides the next I/O of {@code slot} (direction, block; with verification stamps the data written). */
    void issue(final int slot, final long now)
    {
        final boolean read = readPercent == 100 || (readPercent != 0 && random.nextInt(100) < readPercent);
        final long block = job.picker.next(random, firstStripe + slot);
        reads[slot] = read;
        blocks[slot] = block;
        if (codec != null)
        {
            final long[] expected = job.sequences;
            if (read)
            {
                sequences[slot] = expected[(int)block];
            }
            else
            {
                final long sequence = expected[(int)block] + 1;
                sequences[slot] = sequence;
                codec.stamp(buffers[slot], 0, job.spec.offset() + block * job.spec.bs(), sequence);
            }
        }
        inFlight++;
        depthLevels[inFlight >= 64 ? 6 : 31 - Integer.numberOfLeadingZeros(inFlight)]++;
        started[slot] = now;
    }

    boolean isRead(final int slot)
    {
        return reads[slot];
    }

    /** Byte offset of the slot's current I/O. */
    long offset(final int slot)
    {
        return job.spec.offset() + blocks[slot] * job.spec.bs();
    }

    /** First logical block of the slot's current I/O. */
    long lba(final int slot)
    {
        return offset(slot) / job.lbaSize;
    }

    int lbaCount()
    {
        return job.lbasPerIo();
    }

    UnsafeBuffer buffer(final int slot)
    {
        return buffers[slot];
    }

    /** The slot's I/O succeeded at {@code now}: verify a read, count and time it if it completed in the window. */
    void completed(final int slot, final long now)
    {
        inFlight--;
        final boolean read = reads[slot];
        if (codec != null)
        {
            if (read)
            {
                verifiedReads++;
                final String mismatch = codec.check(buffers[slot], 0, offset(slot), sequences[slot]);
                if (mismatch != null && verifyFailure == null)
                {
                    verifyFailure = mismatch;
                }
            }
            else
            {
                // Only a completed write changes what the block must hold.
                job.sequences[(int)blocks[slot]] = sequences[slot];
            }
        }
        if (now >= job.measureStart && now < job.endAt)
        {
            final long latency = Math.min(now - started[slot], HIGHEST_LATENCY_NS);
            lastCompletionAt = now;
            if (read)
            {
                readLatency.recordValue(latency);
                readCount.setRelease(++readIos);
            }
            else
            {
                writeLatency.recordValue(latency);
                writeCount.setRelease(++writeIos);
            }
        }
        completions.setRelease(++completed);
    }

    /** The slot's I/O failed: the job stops issuing and reports {@code message}. */
    void failed(final int slot, final String message)
    {
        inFlight--;
        if (ioFailure == null)
        {
            ioFailure = (reads[slot] ? "read" : "write") + " of " + job.spec.bs() + " bytes at offset " + offset(slot) +
                " failed: " + message;
        }
    }

    /** The driver itself gave up (e.g. requests unanswered past the drain deadline). */
    void abandon(final String message)
    {
        if (ioFailure == null)
        {
            ioFailure = message;
        }
    }

    /** Completions so far, ramp included: for the progress line. */
    long completions()
    {
        return completions.getAcquire();
    }

    String ioFailure()
    {
        return ioFailure;
    }

    String verifyFailure()
    {
        return verifyFailure;
    }

    AbstractHistogram readLatency()
    {
        return readLatency;
    }

    AbstractHistogram writeLatency()
    {
        return writeLatency;
    }

    long readIos()
    {
        return readIos;
    }

    long writeIos()
    {
        return writeIos;
    }

    /** Measured-window reads so far, from any thread. */
    long readsSoFar()
    {
        return readCount.getAcquire();
    }

    /** Measured-window writes so far, from any thread. */
    long writesSoFar()
    {
        return writeCount.getAcquire();
    }

    /** When the last I/O of the measured window completed (0 if none). */
    long lastCompletionAt()
    {
        return lastCompletionAt;
    }

    /** I/Os issued by depth, fio's iodepth_level buckets. */
    long[] depthLevels()
    {
        return depthLevels;
    }

    /** Reads checked by --verify, ramp and drain included. */
    long verifiedReads()
    {
        return verifiedReads;
    }

    JobContext job()
    {
        return job;
    }
}
