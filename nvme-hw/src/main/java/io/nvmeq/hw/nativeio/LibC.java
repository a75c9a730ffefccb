package io.nvmeq.hw.nativeio;

import jnr.ffi.Platform;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.pid_t;
import jnr.ffi.types.size_t;

/**
 * The few libc functions nvmeq needs, bound through jnr-ffi. Constants are those of Linux on x86-64
 * (the memory-mapping ones are the same on aarch64). Get the bound library with {@link #libc()}; read
 * errno right after a failed call with {@link #errno()} on the same thread.
 */
public interface LibC
{
    int EPERM = 1;
    int ESRCH = 3;
    int EAGAIN = 11;
    int ENOMEM = 12;
    int EINVAL = 22;

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x01;
    int MAP_PRIVATE = 0x02;
    int MAP_ANONYMOUS = 0x20;
    int MAP_POPULATE = 0x8000;
    int MAP_HUGETLB = 0x40000;
    /** log2(2 MiB) in the MAP_HUGE_SHIFT (26) bits: asks for 2 MiB pages whatever the default size. */
    int MAP_HUGE_2MB = 21 << 26;
    /** What mmap returns on failure. */
    long MAP_FAILED = -1L;

    /** The child of a fork() does not get these pages, so pages pinned for a device never become copy-on-write. */
    int MADV_DONTFORK = 10;

    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;

    int SC_PAGESIZE = 30;
    int RLIMIT_MEMLOCK = 8;
    /** getrlimit's "no limit". */
    long RLIM_INFINITY = -1L;

    /** Size of the kernel's cpu_set_t as glibc defines it: 1024 CPUs, 128 bytes, 16 longs. */
    int CPU_SET_BYTES = 128;

    /** The bound library, loaded once per JVM. */
    static LibC libc()
    {
        return LibCHolder.LIBC;
    }

    /** The errno of the calling thread's last native call through this library. */
    static int errno()
    {
        return LibCHolder.RUNTIME.getLastError();
    }

    /** The C library's text for {@code errno}, e.g. "Invalid argument". */
    static String strerrorText(final int errno)
    {
        final String text = libc().strerror(errno);
        return text == null ? "unknown error" : text;
    }

    /** The syscall number of gettid on this CPU architecture. */
    static long sysGettid()
    {
        return Platform.getNativePlatform().getCPU() == Platform.CPU.AARCH64 ? 178L : 186L;
    }

    @SaveError
    long mmap(long addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError
    int munmap(long addr, @size_t long length);

    @SaveError
    int mlock(long addr, @size_t long length);

    @SaveError
    int munlock(long addr, @size_t long length);

    @SaveError
    int madvise(long addr, @size_t long length, int advice);

    /** {@code mask} is a cpu_set_t: {@link #CPU_SET_BYTES} bytes as 16 longs, bit n = CPU n. */
    @SaveError
    int sched_setaffinity(@pid_t int tid, @size_t long maskBytes, @In long[] mask);

    /** Returns the bytes of {@code mask} the kernel filled, or -1. */
    @SaveError
    int sched_getaffinity(@pid_t int tid, @size_t long maskBytes, @Out long[] mask);

    /** Only for argument-less system calls such as gettid ({@link #sysGettid()}). */
    @SaveError
    long syscall(long number);

    @pid_t
    int getpid();

    @SaveError
    long sysconf(int name);

    /** {@code limit} receives struct rlimit: [0] = soft limit, [1] = hard limit. */
    @SaveError
    int getrlimit(int resource, @Out long[] limit);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    String strerror(int errno);
}
