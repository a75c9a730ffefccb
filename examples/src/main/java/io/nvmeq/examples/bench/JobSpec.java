package io.nvmeq.examples.bench;

import java.util.Objects;

/**
 * One fio-style job, as {@code nvmeq bench} takes it: fio's option names and meanings.
 *
 * @param name       the job's name in the report (fio's {@code --name})
 * @param rw         direction and order
 * @param rwmixread  percentage of reads in a mixed job (fio's default 50)
 * @param bs         bytes per I/O, a multiple of the device's logical block size
 * @param iodepth    I/Os each job keeps outstanding
 * @param numjobs    jobs; each has its own queue pair (or, for POSIX, its own {@code iodepth} threads)
 * @param runtimeNs  measured time, after the ramp; 0 = no limit (fio's {@code runtime=0})
 * @param rampNs     time run before measuring starts, as fio's {@code ramp_time}
 * @param offset     first byte of the region the job covers (fio's {@code offset})
 * @param size       bytes of the region from {@code offset}; 0 = to the end of the device or file
 * @param ioSize     bytes of I/O each job does before it ends unless time-based (fio's {@code io_size}); 0 = size
 * @param timeBased  run for the runtime even when io_size is done (fio's {@code time_based})
 * @param rateIops   I/Os per second each job issues at most, evenly spaced (fio's {@code rate_iops}); 0 = no cap
 * @param fua        writes with Force Unit Access (POSIX: O_DSYNC)
 * @param verify     crc32c verification: every block written carries its offset, a write sequence and a checksum,
 *                   every block read is checked, and a job that writes reads its region back at its end
 * @param verifyOnly no workload: read the region once and check the blocks a previous verify run wrote
 * @param nsid       namespace (NVMe targets)
 * @param seed       seeds offsets, the read/write mix and the data written, so a job is reproducible
 */
public record JobSpec(
    String name,
    RwMode rw,
    int rwmixread,
    int bs,
    int iodepth,
    int numjobs,
    long runtimeNs,
    long rampNs,
    long offset,
    long size,
    long ioSize,
    boolean timeBased,
    long rateIops,
    boolean fua,
    boolean verify,
    boolean verifyOnly,
    int nsid,
    long seed)
{
    /** Outstanding I/Os a job may ask for; also the most POSIX threads per job. */
    public static final int MAX_IODEPTH = 1024;
    public static final int MAX_NUMJOBS = 256;

    /** @throws IllegalArgumentException naming the option that is wrong */
    public JobSpec
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rw, "rw");
        if (rwmixread < 0 || rwmixread > 100)
        {
            throw new IllegalArgumentException("--rwmixread must be 0..100, not " + rwmixread);
        }
        if (bs < 512 || (bs & 511) != 0)
        {
            throw new IllegalArgumentException("--bs must be a positive multiple of 512 bytes, not " + bs);
        }
        if (iodepth < 1 || iodepth > MAX_IODEPTH)
        {
            throw new IllegalArgumentException("--iodepth must be 1.." + MAX_IODEPTH + ", not " + iodepth);
        }
        if (numjobs < 1 || numjobs > MAX_NUMJOBS)
        {
            throw new IllegalArgumentException("--numjobs must be 1.." + MAX_NUMJOBS + ", not " + numjobs);
        }
        if (runtimeNs < 0)
        {
            throw new IllegalArgumentException("--runtime must not be negative");
        }
        if (rampNs < 0)
        {
            throw new IllegalArgumentException("--ramp_time must not be negative");
        }
        if (offset < 0 || size < 0 || ioSize < 0)
        {
            throw new IllegalArgumentException("--offset, --size and --io_size must not be negative");
        }
        if (rateIops < 0 || rateIops > 1_000_000_000L)
        {
            throw new IllegalArgumentException("--rate_iops must be 0..1000000000, not " + rateIops);
        }
        if (timeBased && runtimeNs == 0)
        {
            throw new IllegalArgumentException("--time_based needs a --runtime (it would run until interrupted)");
        }
        if (verifyOnly && !verify)
        {
            throw new IllegalArgumentException("--verify_only needs --verify=crc32c");
        }
        if (nsid < 1)
        {
            throw new IllegalArgumentException("namespace id must be 1 or more, not " + nsid);
        }
    }

    /** Reads in a mixed job, in percent; 100 or 0 for the pure modes. */
    public int readPercent()
    {
        return rw.reads() && rw.writes() ? rwmixread : rw.reads() ? 100 : 0;
    }

    /** When the measured window ends, counted from its start; "never" for a job without a runtime. */
    public long windowNs()
    {
        return runtimeNs == 0 ? Long.MAX_VALUE / 4 : runtimeNs;
    }

    public JobSpec withRw(final RwMode mode, final String jobName)
    {
        return new JobSpec(jobName, mode, rwmixread, bs, iodepth, numjobs, runtimeNs, rampNs, offset, size, ioSize,
            timeBased, rateIops, fua, verify, verifyOnly, nsid, seed);
    }

    public JobSpec withIodepth(final int depth)
    {
        return new JobSpec(name, rw, rwmixread, bs, depth, numjobs, runtimeNs, rampNs, offset, size, ioSize,
            timeBased, rateIops, fua, verify, verifyOnly, nsid, seed);
    }

    public JobSpec withNumjobs(final int jobs)
    {
        return new JobSpec(name, rw, rwmixread, bs, iodepth, jobs, runtimeNs, rampNs, offset, size, ioSize,
            timeBased, rateIops, fua, verify, verifyOnly, nsid, seed);
    }

    /** The same job for a time (the reference matrix, scale, warm-ups): io_size does not end it. */
    public JobSpec timed(final long runtime, final long ramp)
    {
        return new JobSpec(name, rw, rwmixread, bs, iodepth, numjobs, runtime, ramp, offset, size, ioSize, true,
            rateIops, fua, verify, verifyOnly, nsid, seed);
    }
}
