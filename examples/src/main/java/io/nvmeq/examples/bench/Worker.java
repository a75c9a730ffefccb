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

    int slots()
    {
        return slots;
    }

    /** True while the job runs and nothing has failed: the driver may issue another I/O. */
    boolean mayIssue(final long now)
    {
        return now < job.endAt && ioFailure == null && verifyFailure == null;
    }

    /** Nothing is outstanding and nothing more will be issued. */
    boolean finished(final long now)
    {
        return inFlight == 0 && !mayIssue(now);
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
                codec.stamp(buffers[slot], 0, block * job.spec.bs(), sequence);
            }
        }
        inFlight++;
        started[slot] = now;
    }

    boolean isRead(final int slot)
    {
        return reads[slot];
    }

    /** Byte offset of the slot's current I/O. */
    long offset(final int slot)
    {
        return blocks[slot] * job.spec.bs();
    }

    /** First logical block of the slot's current I/O. */
    long lba(final int slot)
    {
        return blocks[slot] * job.lbasPerIo();
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
            if (read)
            {
                readLatency.recordValue(latency);
                readIos++;
            }
            else
            {
                writeLatency.recordValue(latency);
                writeIos++;
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
