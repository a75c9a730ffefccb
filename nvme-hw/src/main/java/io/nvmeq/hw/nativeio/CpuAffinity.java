package io.nvmeq.hw.nativeio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Linux thread ids and CPU affinity. A queue pair's poll thread pins itself with
 * {@link #pinCurrentThread(int)} so that its cache stays warm and it never migrates mid-burst.
 * CPU sets are {@link BitSet}s: bit n set = CPU n.
 */
public final class CpuAffinity
{
    /** The CPUs a cpu_set_t can name: 0 .. MAX_CPUS - 1. */
    public static final int MAX_CPUS = LibC.CPU_SET_BYTES * 8;

    private static final Path ONLINE_CPUS = Path.of("/sys/devices/system/cpu/online");

    private CpuAffinity()
    {
    }

    /** The kernel's id of the calling thread (gettid), as sched_setaffinity and /proc/self/task know it. */
    public static int currentThreadId()
    {
        final long tid = LibC.libc().syscall(LibC.sysGettid());
        if (tid <= 0)
        {
            throw NativeException.lastError("syscall(gettid)", null);
        }
        return (int)tid;
    }

    /**
     * Binds the calling thread to exactly {@code cpu}.
     *
     * @throws IllegalArgumentException if {@code cpu} is outside 0..{@link #MAX_CPUS}-1
     * @throws NativeException          (errno EINVAL) if the CPU is offline, absent or not allowed to
     *                                  this process (its cgroup cpuset); the message lists the online CPUs
     */
    public static void pinCurrentThread(final int cpu)
    {
        if (cpu < 0 || cpu >= MAX_CPUS)
        {
            throw new IllegalArgumentException("CPU " + cpu + " is outside 0.." + (MAX_CPUS - 1));
        }
        final long[] mask = new long[LibC.CPU_SET_BYTES / Long.BYTES];
        mask[cpu >>> 6] = 1L << (cpu & 63);
        if (LibC.libc().sched_setaffinity(0, LibC.CPU_SET_BYTES, mask) != 0)
        {
            final int errno = LibC.errno();
            throw new NativeException("sched_setaffinity", errno,
                "cannot pin thread " + currentThreadId() + " to CPU " + cpu + " (online CPUs: " +
                    onlineCpus() + ", this thread may use: " + currentThreadAffinity() + ")");
        }
    }

    /**
     * Lets the calling thread run on the CPUs of {@code cpus} only (a set, where {@link #pinCurrentThread}
     * names one).
     *
     * @throws IllegalArgumentException if {@code cpus} is empty or names a CPU past {@link #MAX_CPUS}-1
     * @throws NativeException          if the kernel refuses the set (none of it online or allowed)
     */
    public static void restrictCurrentThread(final BitSet cpus)
    {
        if (cpus.isEmpty() || cpus.length() > MAX_CPUS)
        {
            throw new IllegalArgumentException("CPU set " + cpus + " is empty or reaches past CPU " + (MAX_CPUS - 1));
        }
        final long[] mask = new long[LibC.CPU_SET_BYTES / Long.BYTES];
        final long[] words = cpus.toLongArray();
        System.arraycopy(words, 0, mask, 0, words.length);
        if (LibC.libc().sched_setaffinity(0, LibC.CPU_SET_BYTES, mask) != 0)
        {
            throw new NativeException("sched_setaffinity", LibC.errno(),
                "cannot restrict thread " + currentThreadId() + " to CPUs " + cpus + " (online CPUs: " + onlineCpus() + ")");
        }
    }

    /** The CPUs thread {@code tid} may run on; 0 means the calling thread. */
    public static BitSet affinityOf(final int tid)
    {
        final long[] mask = new long[LibC.CPU_SET_BYTES / Long.BYTES];
        if (LibC.libc().sched_getaffinity(tid, LibC.CPU_SET_BYTES, mask) < 0)
        {
            throw NativeException.lastError("sched_getaffinity", "thread " + tid);
        }
        return BitSet.valueOf(mask);
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet currentThreadAffinity()
    {
        return affinityOf(0);
    }

    /** The CPUs the kernel has online, from /sys/devices/system/cpu/online (e.g. "0-3,8"). */
    public static BitSet onlineCpus()
    {
        try
        {
            return parseCpuList(Files.readString(ONLINE_CPUS).trim());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + ONLINE_CPUS, ex);
        }
    }

    /** Parses the kernel's CPU list format: comma-separated CPUs and ranges, e.g. "0-3,8,10-11". */
    static BitSet parseCpuList(final String list)
    {
        final BitSet cpus = new BitSet();
        if (list.isEmpty())
        {
            return cpus;
        }
        for (final String part : list.split(","))
        {
            final int dash = part.indexOf('-');
            try
            {
                if (dash < 0)
                {
                    cpus.set(Integer.parseInt(part));
                }
                else
                {
                    cpus.set(Integer.parseInt(part.substring(0, dash)), Integer.parseInt(part.substring(dash + 1)) + 1);
                }
            }
            catch (final NumberFormatException | IndexOutOfBoundsException ex)
            {
                throw new IllegalArgumentException("not a CPU list: '" + list + "'", ex);
            }
        }
        return cpus;
    }
}
