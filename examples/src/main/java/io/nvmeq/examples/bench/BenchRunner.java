package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs one job group on a {@link BenchTarget}: checks the job against the target, lays the region out (so reads
 * read real data, and verification has something to check), runs ramp then measured window while showing
 * progress, drains, and gathers the result. The measured window counts I/Os that complete in it; CPU time is
 * sampled at its two ends.
 */
final class BenchRunner
{
    /** Bytes per synchronous transfer when laying out or verifying a region. */
    private static final int TRANSFER_BYTES = 1 << 20;
    /** Bound on the drain after the window ends (commands still outstanding). */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(15);

    private final BenchTarget target;
    private final String device;
    private final String client;
    private final boolean movesData;
    private final Progress progress;

    /**
     * @param movesData false for a device that drops writes and reads zeroes (emu:null): nothing is laid out
     * @param progress  where the live progress line goes (or {@link Progress#NONE})
     */
    BenchRunner(final BenchTarget target, final String device, final String client, final boolean movesData,
        final Progress progress)
    {
        this.target = target;
        this.device = device;
        this.client = client;
        this.movesData = movesData;
        this.progress = progress;
        CpuClock.warmUp();
    }

    /** The bytes a job covers: --size, or the whole namespace or file. */
    long region(final JobSpec spec)
    {
        final long capacity = target.capacity(spec.nsid());
        final long size = spec.size() > 0 ? spec.size() : capacity;
        if (size == 0)
        {
            throw new IllegalArgumentException("--size is needed: " + device + " is empty");
        }
        if (size > capacity && !(target instanceof PosixTarget))
        {
            throw new IllegalArgumentException("--size " + size + " exceeds namespace " + spec.nsid() + " of " +
                device + " (" + capacity + " bytes)");
        }
        return size - size % spec.bs();
    }

    /** @throws IllegalArgumentException naming what in the job does not fit the target */
    void check(final JobSpec spec)
    {
        final int lbaSize = target.lbaSize(spec.nsid());
        if (spec.bs() % lbaSize != 0)
        {
            throw new IllegalArgumentException("--bs " + spec.bs() + " is not a multiple of the logical block size " +
                lbaSize + " of " + device);
        }
        if (spec.bs() > target.maxTransfer())
        {
            throw new IllegalArgumentException("--bs " + spec.bs() + " exceeds the largest transfer of one command (" +
                target.maxTransfer() + " bytes) on " + device);
        }
        if (spec.numjobs() > target.maxJobs())
        {
            throw new IllegalArgumentException("--numjobs " + spec.numjobs() + ": " + device + " runs only " +
                target.maxJobs() + " queue pair(s), one per job");
        }
        final long blocks = region(spec) / spec.bs();
        final long needed = (long)spec.numjobs() * (spec.verify() ? spec.iodepth() : 1);
        if (blocks < needed)
        {
            throw new IllegalArgumentException("--size holds " + blocks + " block(s) of " + spec.bs() + " bytes; the " +
                "job needs at least " + needed + (spec.verify() ? " (with --verify each outstanding I/O owns a " +
                "stripe of the region)" : ""));
        }
        if (spec.verify() && blocks > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("--verify tracks at most " + Integer.MAX_VALUE + " blocks; use a " +
                "smaller --size or a larger --bs");
        }
        if (spec.verify() && !movesData)
        {
            throw new IllegalArgumentException("--verify needs a device that keeps data; " + device +
                " drops writes");
        }
    }

    /** Whether {@link #run} lays the region out first: when it reads data or verifies, and the device keeps data. */
    boolean laysOut(final JobSpec spec)
    {
        return movesData && !spec.verifyOnly() && (spec.rw().reads() || spec.verify());
    }

    /** Lays out the region: verify headers (write sequence 0), or the seed's pseudo-random bytes. */
    long layOut(final JobSpec spec)
    {
        final long region = region(spec);
        final int chunk = chunkBytes(spec);
        final UnsafeBuffer buffer = target.transferBuffer(chunk);
        final BlockCodec codec = spec.verify() ? new BlockCodec(spec.bs(), target.lbaSize(spec.nsid()), spec.seed())
            : null;
        final SplittableRandom random = new SplittableRandom(spec.seed());
        for (long offset = 0; offset < region; offset += chunk)
        {
            final int length = (int)Math.min(chunk, region - offset);
            for (int at = 0; at < length; at += spec.bs())
            {
                if (codec != null)
                {
                    codec.stamp(buffer, at, offset + at, 0);
                }
                else
                {
                    for (int i = 0; i < spec.bs(); i += Long.BYTES)
                    {
                        buffer.putLong(at + i, random.nextLong());
                    }
                }
            }
            target.transfer(true, spec.nsid(), offset, length);
        }
        return region;
    }

    /**
     * {@code --verify_only}: reads the region once and checks every block a verify job wrote before (any write
     * sequence is accepted: the writer was another process).
     */
    BenchResult verifyOnly(final JobSpec spec)
    {
        check(spec);
        final long region = region(spec);
        final int chunk = chunkBytes(spec);
        final UnsafeBuffer buffer = target.transferBuffer(chunk);
        final BlockCodec codec = new BlockCodec(spec.bs(), target.lbaSize(spec.nsid()), spec.seed());
        final long started = System.nanoTime();
        final CpuClock.Sample cpuStart = CpuClock.now();
        long checked = 0;
        String failure = null;
        for (long offset = 0; offset < region && failure == null; offset += chunk)
        {
            final int length = (int)Math.min(chunk, region - offset);
            target.transfer(false, spec.nsid(), offset, length);
            for (int at = 0; at < length && failure == null; at += spec.bs())
            {
                failure = codec.check(buffer, at, offset + at, -1);
                checked++;
            }
        }
        final long elapsed = Math.max(1, System.nanoTime() - started);
        final AbstractHistogram none = new IntCountsHistogram(Worker.HIGHEST_LATENCY_NS, 3);
        return new BenchResult(spec, target.engineName(), client, device, target.description(), region, 0, elapsed,
            new DirectionResult(checked, checked * spec.bs(), elapsed, none),
            new DirectionResult(0, 0, elapsed, none), CpuClock.now().minus(cpuStart), checked, null, failure, target.nvmeqFigures());
    }

    /** Runs {@code spec}: lay out if needed, ramp, measure, drain. */
    BenchResult run(final JobSpec spec) throws InterruptedException
    {
        return run(spec, laysOut(spec));
    }

    /** Runs {@code spec}, laying the region out first only if {@code layOutFirst} (callers that did it already). */
    BenchResult run(final JobSpec spec, final boolean layOutFirst) throws InterruptedException
    {
        check(spec);
        if (spec.verifyOnly())
        {
            return verifyOnly(spec);
        }
        final long region = region(spec);
        final long layout = layOutFirst ? layOut(spec) : 0;
        final long blocks = region / spec.bs();
        final long[] sequences = spec.verify() ? new long[(int)blocks] : null;
        final long startAt = System.nanoTime();
        final long measureStart = startAt + spec.rampNs();
        final long endAt = measureStart + spec.runtimeNs();
        final List<JobContext> jobs = new ArrayList<>(spec.numjobs());
        for (int j = 0; j < spec.numjobs(); j++)
        {
            // With verification each job owns a slice, so that no two jobs write one block; otherwise, as in
            // fio, every job ranges over the whole region.
            final long first = spec.verify() ? blocks * j / spec.numjobs() : 0;
            final long count = spec.verify() ? blocks * (j + 1) / spec.numjobs() - first : blocks;
            jobs.add(new JobContext(spec, j, target.lbaSize(spec.nsid()), first, count, sequences, measureStart,
                endAt));
        }
        final BenchTarget.Running running = target.start(jobs);
        CpuClock.Sample cpuStart = null;
        CpuClock.Sample cpuEnd = null;
        progress.begin(spec, startAt, measureStart, endAt);
        long now = System.nanoTime();
        while (now < endAt)
        {
            final long wake = Math.min(progress.nextTick(now), cpuStart == null ? measureStart : endAt);
            if (wake > now)
            {
                TimeUnit.NANOSECONDS.sleep(wake - now);
            }
            now = System.nanoTime();
            if (cpuStart == null && now >= measureStart)
            {
                cpuStart = CpuClock.now();
            }
            if (anyFailed(running.workers()))
            {
                break;
            }
            progress.tick(now, totalCompletions(running.workers()));
        }
        if (cpuStart == null)
        {
            cpuStart = CpuClock.now();
        }
        cpuEnd = CpuClock.now();
        progress.end();
        final boolean drained = running.await(DRAIN_NS);
        running.release();
        return collect(spec, region, layout, running.workers(), cpuEnd.minus(cpuStart), drained);
    }

    private BenchResult collect(final JobSpec spec, final long region, final long layout, final List<Worker> workers,
        final CpuClock.Sample cpu, final boolean drained)
    {
        final AbstractHistogram reads = new Histogram(Worker.HIGHEST_LATENCY_NS, 3);
        final AbstractHistogram writes = new Histogram(Worker.HIGHEST_LATENCY_NS, 3);
        long readIos = 0;
        long writeIos = 0;
        long verified = 0;
        String ioFailure = drained ? null : "the job did not finish: I/O still outstanding " +
            TimeUnit.NANOSECONDS.toSeconds(DRAIN_NS) + " s after its end";
        String verifyFailure = null;
        for (final Worker worker : workers)
        {
            reads.add(worker.readLatency());
            writes.add(worker.writeLatency());
            readIos += worker.readIos();
            writeIos += worker.writeIos();
            verified += worker.verifiedReads();
            if (ioFailure == null)
            {
                ioFailure = worker.ioFailure();
            }
            if (verifyFailure == null)
            {
                verifyFailure = worker.verifyFailure();
            }
        }
        return new BenchResult(spec, target.engineName(), client, device, target.description(), region, layout,
            spec.runtimeNs(),
            new DirectionResult(readIos, readIos * spec.bs(), spec.runtimeNs(), reads),
            new DirectionResult(writeIos, writeIos * spec.bs(), spec.runtimeNs(), writes),
            cpu, verified, ioFailure, verifyFailure, target.nvmeqFigures());
    }

    private int chunkBytes(final JobSpec spec)
    {
        final int max = Math.min(TRANSFER_BYTES, target.maxTransfer());
        return Math.max(spec.bs(), max - max % spec.bs());
    }

    private static boolean anyFailed(final List<Worker> workers)
    {
        for (final Worker worker : workers)
        {
            if (worker.ioFailure() != null || worker.verifyFailure() != null)
            {
                return true;
            }
        }
        return false;
    }

    private static long totalCompletions(final List<Worker> workers)
    {
        long total = 0;
        for (final Worker worker : workers)
        {
            total += worker.completions();
        }
        return total;
    }
}
