package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final AtomicBoolean stop = new AtomicBoolean();

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

    /** Asks a running job to end now (Ctrl-C): its workers stop issuing, drain, and the result covers what ran. */
    void stop()
    {
        stop.set(true);
    }

    /** The bytes a job covers: --size, or the namespace or file from --offset to its end. */
    long region(final JobSpec spec)
    {
        final long capacity = target.capacity(spec.nsid());
        final long size = spec.size() > 0 ? spec.size() : capacity - spec.offset();
        if (size <= 0)
        {
            throw new IllegalArgumentException(capacity == 0 ? "--size is needed: " + device + " is empty" :
                "--offset " + spec.offset() + " is at or past the end of " + device + " (" + capacity + " bytes)");
        }
        if (spec.offset() + size > capacity && !(target instanceof PosixTarget))
        {
            throw new IllegalArgumentException("--offset " + spec.offset() + " + --size " + size + " exceeds namespace " +
                spec.nsid() + " of " + device + " (" + capacity + " bytes)");
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
        if (spec.offset() % lbaSize != 0)
        {
            throw new IllegalArgumentException("--offset " + spec.offset() + " is not a multiple of the logical block " +
                "size " + lbaSize + " of " + device);
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

    /** Lays out the region: verify headers (write sequence 0), or pseudo-random bytes from --randseed. */
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
                    codec.stamp(buffer, at, spec.offset() + offset + at, 0);
                }
                else
                {
                    for (int i = 0; i < spec.bs(); i += Long.BYTES)
                    {
                        buffer.putLong(at + i, random.nextLong());
                    }
                }
            }
            target.transfer(true, spec.nsid(), spec.offset() + offset, length);
        }
        return region;
    }

    /**
     * Reads the region once and checks every block: against {@code expected} (each block's last acknowledged
     * write sequence), or, with none, only that each block is intact and in its place.
     *
     * @return blocks checked, and the first failure or null
     */
    ReadBack readBack(final JobSpec spec, final long[] expected)
    {
        final long region = region(spec);
        final int chunk = chunkBytes(spec);
        final UnsafeBuffer buffer = target.transferBuffer(chunk);
        final BlockCodec codec = new BlockCodec(spec.bs(), target.lbaSize(spec.nsid()), spec.seed());
        long checked = 0;
        String failure = null;
        for (long offset = 0; offset < region && failure == null; offset += chunk)
        {
            final int length = (int)Math.min(chunk, region - offset);
            target.transfer(false, spec.nsid(), spec.offset() + offset, length);
            for (int at = 0; at < length && failure == null; at += spec.bs())
            {
                final long block = (offset + at) / spec.bs();
                failure = codec.check(buffer, at, spec.offset() + offset + at, expected == null ? -1 : expected[(int)block]);
                checked++;
            }
        }
        return new ReadBack(checked, failure);
    }

    /** What a read-back found. */
    record ReadBack(long checked, String failure)
    {
    }

    /**
     * {@code --verify_only}: reads the region once and checks every block a verify job wrote before: against the
     * write sequences that job saved ({@code expected}), or, without them, offset and CRC only.
     */
    BenchResult verifyOnly(final JobSpec spec, final long[] expected)
    {
        check(spec);
        final long region = region(spec);
        if (expected != null && expected.length != region / spec.bs())
        {
            throw new IllegalArgumentException("the verify state holds " + expected.length + " blocks; the job's " +
                "region holds " + region / spec.bs());
        }
        final long started = System.nanoTime();
        final CpuClock.Sample cpuStart = CpuClock.now();
        final long allocatedStart = AllocationClock.allocatedBytes();
        final ReadBack readBack = readBack(spec, expected);
        final long elapsed = Math.max(1, System.nanoTime() - started);
        final AbstractHistogram none = new IntCountsHistogram(Worker.HIGHEST_LATENCY_NS, 3);
        return new BenchResult(spec, target.engineName(), client, device, target.description(), region, 0, elapsed,
            new DirectionResult(readBack.checked(), readBack.checked() * spec.bs(), elapsed, none, Samples.NONE),
            new DirectionResult(0, 0, elapsed, none, Samples.NONE), CpuClock.now().minus(cpuStart),
            allocatedSince(allocatedStart), Map.of(), new long[7], readBack.checked(), 0, false, null, readBack.failure(), expected, target.nvmeqFigures());
    }

    /** Runs {@code spec}: lay out if needed, ramp, measure, drain. */
    BenchResult run(final JobSpec spec) throws InterruptedException
    {
        return run(spec, laysOut(spec));
    }

    /**
     * Runs {@code spec}, laying the region out first only if {@code layOutFirst} (callers that did it already).
     * The job ends at its runtime, when each job's io_size is done (unless time-based), at a failure, or at
     * {@link #stop}; a job that wrote with --verify then reads its region back and checks every block.
     */
    BenchResult run(final JobSpec spec, final boolean layOutFirst) throws InterruptedException
    {
        check(spec);
        if (spec.verifyOnly())
        {
            return verifyOnly(spec, null);
        }
        final long region = region(spec);
        final long layout = layOutFirst ? layOut(spec) : 0;
        final long blocks = region / spec.bs();
        final long[] sequences = spec.verify() ? new long[(int)blocks] : null;
        final long ioSize = spec.ioSize() > 0 ? spec.ioSize() : region;
        final long ios = spec.timeBased() ? Long.MAX_VALUE : Math.max(1, ioSize / spec.bs());
        final long startAt = System.nanoTime();
        final long measureStart = startAt + spec.rampNs();
        final long endAt = measureStart + spec.windowNs();
        final List<JobContext> jobs = new ArrayList<>(spec.numjobs());
        for (int j = 0; j < spec.numjobs(); j++)
        {
            // With verification each job owns a slice, so that no two jobs write one block; otherwise, as in
            // fio, every job ranges over the whole region.
            final long first = spec.verify() ? blocks * j / spec.numjobs() : 0;
            final long count = spec.verify() ? blocks * (j + 1) / spec.numjobs() - first : blocks;
            jobs.add(new JobContext(spec, j, target.lbaSize(spec.nsid()), first, count, sequences, measureStart,
                endAt, ios, stop));
        }
        final BenchTarget.Running running = target.start(jobs);
        final Samples.Recorder samples = new Samples.Recorder(measureStart, spec.bs());
        CpuClock.Sample cpuStart = null;
        long allocatedStart = -1;
        ThreadCpu.Snapshot threadsStart = null;
        Map<String, Long> threads = null;
        // Threads are read a little before the window ends: a load generator's threads end at its end.
        final long threadsEndAt = ThreadCpu.endReadingAt(measureStart, endAt);
        progress.begin(spec, startAt, measureStart, endAt);
        long now = System.nanoTime();
        boolean done = false;
        while (now < endAt && !done)
        {
            final long wake = Math.min(Math.min(progress.nextTick(now), samples.nextAt()),
                cpuStart == null ? measureStart : threads == null ? threadsEndAt : endAt);
            done = running.await(Math.max(1, wake - now));
            now = System.nanoTime();
            if (cpuStart == null && now >= measureStart)
            {
                cpuStart = CpuClock.now();
                // The measured window's duty cycles only: start-up, layout and ramp are not the figure.
                target.resetDutyCycles();
                allocatedStart = AllocationClock.allocatedBytes();
                threadsStart = ThreadCpu.now();
            }
            if (threadsStart != null && threads == null && now >= threadsEndAt)
            {
                threads = ThreadCpu.now().since(threadsStart);
            }
            if (anyFailed(running.workers()) || stop.get())
            {
                break;
            }
            samples.sample(now, running.workers());
            progress.tick(now, totalCompletions(running.workers()));
        }
        if (cpuStart == null)
        {
            cpuStart = CpuClock.now();
            allocatedStart = AllocationClock.allocatedBytes();
            threadsStart = ThreadCpu.now();
        }
        final CpuClock.Sample cpuEnd = CpuClock.now();
        final long allocated = allocatedSince(allocatedStart);
        if (threads == null)
        {
            threads = ThreadCpu.now().since(threadsStart);
        }
        progress.end();
        final boolean drained = running.await(DRAIN_NS);
        running.release();
        // A job that ran its time is measured over its runtime, as fio does; one that ended early (io_size done,
        // interrupted) up to its last completion.
        final boolean early = stop.get() || (done && !spec.timeBased());
        final long windowEnd = Math.min(endAt, Math.max(measureStart + 1, early ?
            lastCompletion(running.workers(), now) : endAt));
        BenchResult result = collect(spec, region, layout, running.workers(), cpuEnd.minus(cpuStart), allocated,
            threads, drained, windowEnd - measureStart, samples, sequences);
        if (spec.verify() && spec.rw().writes() && result.ok() && !stop.get())
        {
            final ReadBack readBack = readBack(spec, sequences);
            result = result.withReadBack(readBack.checked(), readBack.failure());
        }
        return result;
    }

    /** Heap bytes allocated since {@code start}; -1 when the JVM does not count them. */
    private static long allocatedSince(final long start)
    {
        final long now = AllocationClock.allocatedBytes();
        return start < 0 || now < 0 ? -1 : Math.max(0, now - start);
    }

    private BenchResult collect(final JobSpec spec, final long region, final long layout, final List<Worker> workers,
        final CpuClock.Sample cpu, final long allocated, final Map<String, Long> threads, final boolean drained, final long runtimeNs, final Samples.Recorder samples,
        final long[] sequences)
    {
        final AbstractHistogram reads = new Histogram(Worker.HIGHEST_LATENCY_NS, 3);
        final AbstractHistogram writes = new Histogram(Worker.HIGHEST_LATENCY_NS, 3);
        final long[] depths = new long[7];
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
            for (int i = 0; i < depths.length; i++)
            {
                depths[i] += worker.depthLevels()[i];
            }
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
            runtimeNs,
            new DirectionResult(readIos, readIos * spec.bs(), runtimeNs, reads, samples.reads()),
            new DirectionResult(writeIos, writeIos * spec.bs(), runtimeNs, writes, samples.writes()),
            cpu, allocated, threads, depths, verified, 0, stop.get(), ioFailure, verifyFailure, sequences, target.nvmeqFigures());
    }

    /** The end of a window that ended early: the last completion in it, or now if none completed. */
    private static long lastCompletion(final List<Worker> workers, final long now)
    {
        long last = 0;
        for (final Worker worker : workers)
        {
            last = Math.max(last, worker.lastCompletionAt());
        }
        return last == 0 ? now : last;
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
