package io.nvmeq.hw.nativeio;

import jnr.ffi.Platform;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.pid_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * The few libc functions nvmeq needs, bound through jnr-ffi. Constants are those of Linux on x86-64
 * (the memory-mapping ones are the same on aarch64). Get the bound library with {@link #libc()}; read
 * errno right after a failed call with {@link #errno()} on the same thread.
 */
public interface LibC
{
    int EPERM = 1;
    int ESRCH = 3;
    int EINTR = 4;
    int EBADF = 9;
    int EAGAIN = 11;
    int ENOMEM = 12;
    int EINVAL = 22;

    /** eventfd(2) flags: the same values as O_NONBLOCK and O_CLOEXEC. */
    int EFD_NONBLOCK = 0x800;
    int EFD_CLOEXEC = 0x80000;
    /** poll(2) event bits. */
    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

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
    /** Back the range with transparent huge pages where the kernel allows it (THP "madvise" or "always"). */
    int MADV_HUGEPAGE = 14;

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

    /** The CPU the calling thread runs on now (it may move right after), or -1; see {@link CurrentCpu}. */
    int sched_getcpu();

    @SaveError
    long sysconf(int name);

    /** {@code limit} receives struct rlimit: [0] = soft limit, [1] = hard limit. */
    @SaveError
    int getrlimit(int resource, @Out long[] limit);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    /** A new eventfd with counter {@code initval}; returns its fd or -1. */
    @SaveError
    int eventfd(int initval, int flags);

    /** {@code read(fd, buf, count)} into the native address {@code buffer}. */
    @SaveError
    @ssize_t
    long read(int fd, long buffer, @size_t long count);

    /** {@code write(fd, buf, count)} from the native address {@code buffer}. */
    @SaveError
    @ssize_t
    long write(int fd, long buffer, @size_t long count);

    /**
     * {@code ppoll(fds, nfds, timeout, sigmask)}: {@code fds} is the native address of {@code nfds} struct
     * pollfd (8 bytes each), {@code timeout} of a struct timespec or 0 for no limit, {@code sigmask} 0.
     * Returns how many entries have events, 0 on timeout, or -1.
     */
    @SaveError
    int ppoll(long fds, @u_int64_t long nfds, long timeout, long sigmask);

    String strerror(int errno);
}
