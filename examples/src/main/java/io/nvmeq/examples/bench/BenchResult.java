package io.nvmeq.examples.bench;

import java.util.Map;

/**
 * The outcome of one {@code nvmeq bench} job group: both directions, CPU time, and any failure.
 *
 * @param engine        fio's ioengine name, e.g. nvmeq-actors
 * @param device        the device URI or file
 * @param description   how the target was driven, in words
 * @param layoutBytes   bytes laid out before the job (0 if none)
 * @param cpu           process CPU time over the measured window
 * @param allocatedBytes heap bytes the whole JVM allocated over the measured window; -1 if unknown
 * @param threadCpuNs   CPU ns of the busiest threads over the measured window, by thread name, busiest first
 * @param depthLevels   I/Os issued by depth (fio's iodepth_level buckets 1, 2, 4, ... 32, >=64)
 * @param verifiedReads reads checked by --verify in the window and outside it (ramp and drain)
 * @param readBack      blocks read back and checked after the writes of a verify job (0 if none)
 * @param interrupted   the job was stopped early (Ctrl-C): the result covers what ran
 * @param sequences     with --verify, each block's last acknowledged write sequence, else null
 * @param ioFailure     the first failed I/O, or null
 * @param verifyFailure the first block that failed verification, or null
 * @param nvmeq         nvmeq's own figures ({@code jobs[].nvmeq}), or null for targets without queue-pair actors
 */
record BenchResult(
    JobSpec spec,
    String engine,
    String client,
    String device,
    String description,
    long regionBytes,
    long layoutBytes,
    long runtimeNs,
    DirectionResult read,
    DirectionResult write,
    CpuClock.Sample cpu,
    long allocatedBytes,
    Map<String, Long> threadCpuNs,
    long[] depthLevels,
    long verifiedReads,
    long readBack,
    boolean interrupted,
    String ioFailure,
    String verifyFailure,
    long[] sequences,
    NvmeqFigures nvmeq)
{
    /** The same result with the verify read-back's outcome. */
    BenchResult withReadBack(final long checked, final String failure)
    {
        return new BenchResult(spec, engine, client, device, description, regionBytes, layoutBytes, runtimeNs, read,
            write, cpu, allocatedBytes, threadCpuNs, depthLevels, verifiedReads, checked, interrupted, ioFailure,
            verifyFailure != null ? verifyFailure : failure, sequences, nvmeq);
    }

    long totalIos()
    {
        return read.ios() + write.ios();
    }

    /** Process CPU time per I/O in the measured window, ns; -1 if unknown. */
    double cpuNsPerIo()
    {
        return cpu.cpuNs() < 0 || totalIos() == 0 ? -1 : (double)cpu.cpuNs() / totalIos();
    }

    /** Heap bytes the JVM allocated per I/O in the measured window; -1 if unknown. */
    double allocatedBytesPerIo()
    {
        return allocatedBytes < 0 || totalIos() == 0 ? -1 : (double)allocatedBytes / totalIos();
    }

    /** fio's usr_cpu: user CPU time as a percentage of the run's wall time (over 100 with several threads). */
    double usrCpuPercent()
    {
        return cpu.userNs() < 0 ? -1 : cpu.userNs() * 100.0 / runtimeNs;
    }

    double sysCpuPercent()
    {
        return cpu.systemNs() < 0 ? -1 : cpu.systemNs() * 100.0 / runtimeNs;
    }

    boolean ok()
    {
        return ioFailure == null && verifyFailure == null;
    }
}
