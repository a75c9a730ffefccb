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
 * @param runtimeNs  measured time, after the ramp
 * @param rampNs     time run before measuring starts, as fio's {@code ramp_time}
 * @param size       bytes of the device or file the jobs touch, from offset 0; 0 = all of it
 * @param fua        writes with Force Unit Access (POSIX: O_DSYNC)
 * @param verify     crc32c verification: every block written carries its offset, a write sequence and a checksum,
 *                   every block read is checked
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
    long size,
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
        if (runtimeNs <= 0)
        {
            throw new IllegalArgumentException("--runtime must be positive");
        }
        if (rampNs < 0)
        {
            throw new IllegalArgumentException("--ramp_time must not be negative");
        }
        if (size < 0)
        {
            throw new IllegalArgumentException("--size must not be negative");
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

    public JobSpec withRw(final RwMode mode, final String jobName)
    {
        return new JobSpec(jobName, mode, rwmixread, bs, iodepth, numjobs, runtimeNs, rampNs, size, fua, verify,
            verifyOnly, nsid, seed);
    }

    public JobSpec withIodepth(final int depth)
    {
        return new JobSpec(name, rw, rwmixread, bs, depth, numjobs, runtimeNs, rampNs, size, fua, verify, verifyOnly,
            nsid, seed);
    }

    public JobSpec withNumjobs(final int jobs)
    {
        return new JobSpec(name, rw, rwmixread, bs, iodepth, jobs, runtimeNs, rampNs, size, fua, verify, verifyOnly,
            nsid, seed);
    }
}
