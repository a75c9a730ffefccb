package io.nvmeq.hw.nativeio;

/**
 * The CPU the calling thread runs on, from {@code sched_getcpu(3)} (on x86-64 a vDSO call that reads
 * the CPU number the kernel keeps per CPU: no system call). The answer may be stale the moment it is
 * returned, as the thread may migrate; it is a placement hint, as the Linux block layer uses it to
 * pick the hardware queue of the submitting CPU.
 */
public final class CurrentCpu
{
    private CurrentCpu()
    {
    }

    /** The calling thread's CPU now, or -1 where the C library cannot tell. */
    public static int get()
    {
        return LibC.libc().sched_getcpu();
    }
}
