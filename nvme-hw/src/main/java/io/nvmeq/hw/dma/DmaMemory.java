package io.nvmeq.hw.dma;

import io.nvmeq.hw.nativeio.LibC;
import io.nvmeq.hw.nativeio.NativeException;
import io.nvmeq.hw.spec.MemoryPage;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A page-aligned, zeroed region of anonymous memory outside the Java heap that a device may read and
 * write: submission/completion queues and data buffers. Backed by 2 MiB hugepages when the size is a
 * multiple of 2 MiB and the hugepage pool can cover it, else by normal pages (said once in the log).
 * Pages are populated up front, excluded from fork() children, and locked in RAM when RLIMIT_MEMLOCK
 * allows (VFIO pins what it maps; the emulated device needs no lock, so failing to lock is only logged).
 * One {@link UnsafeBuffer} spans the whole region, so a region holds at most {@link #MAX_BYTES}.
 */
public final class DmaMemory implements AutoCloseable
{
    /** The largest region: one UnsafeBuffer (int capacity) must span it, rounded down to 2 MiB. */
    public static final long MAX_BYTES = (Integer.MAX_VALUE / HugePages.SIZE_2M) * HugePages.SIZE_2M;

    private static final Logger LOG = LoggerFactory.getLogger(DmaMemory.class);
    private static final AtomicBoolean HUGEPAGE_FALLBACK_LOGGED = new AtomicBoolean();
    /** Set once a VFIO device was opened: only then do hugepages matter (fewer IOMMU mappings), and the advice applies. */
    private static volatile boolean hugepagesMatter;
    private static final AtomicBoolean MLOCK_FAILURE_LOGGED = new AtomicBoolean();

    private final long address;
    private final long length;
    private final long pageSize;
    private final boolean hugePages;
    private final boolean locked;
    private final UnsafeBuffer buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DmaMemory(final long address, final long length, final long pageSize, final boolean hugePages,
        final boolean locked)
    {
        this.address = address;
        this.length = length;
        this.pageSize = pageSize;
        this.hugePages = hugePages;
        this.locked = locked;
        this.buffer = new UnsafeBuffer(address, (int)length);
    }

    /**
     * Maps at least {@code bytes} of zeroed memory, rounded up to whole pages.
     *
     * @throws IllegalArgumentException if {@code bytes} is not in 1..{@link #MAX_BYTES}
     * @throws NativeException          if the kernel refuses the mapping (e.g. ENOMEM)
     */
    public static DmaMemory allocate(final long bytes)
    {
        if (bytes <= 0 || bytes > MAX_BYTES)
        {
            throw new IllegalArgumentException("DMA region size must be 1.." + MAX_BYTES +
                " bytes (one UnsafeBuffer spans a region; allocate several for more), not " + bytes);
        }
        final LibC libc = LibC.libc();
        final int flags = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_POPULATE;
        final int prot = LibC.PROT_READ | LibC.PROT_WRITE;

        if (bytes % HugePages.SIZE_2M == 0)
        {
            final HugePages pool = HugePages.current();
            if (pool.canCover2M(bytes))
            {
                final long address = libc.mmap(0, bytes, prot, flags | LibC.MAP_HUGETLB | LibC.MAP_HUGE_2MB, -1, 0);
                if (address != LibC.MAP_FAILED)
                {
                    return finish(address, bytes, HugePages.SIZE_2M, true);
                }
                logHugepageFallback("mmap(MAP_HUGETLB) of " + bytes + " bytes failed with errno " + LibC.errno() +
                    " although /proc/meminfo showed " + pool.freePages() + " free 2 MiB pages");
            }
            else
            {
                logHugepageFallback("/proc/meminfo shows " + pool.freePages() + " free hugepages of " +
                    pool.pageSize() + " bytes, not enough 2 MiB pages for " + bytes + " bytes");
            }
        }

        final long pageSize = systemPageSize();
        final long length = (bytes + pageSize - 1) / pageSize * pageSize;
        final long address = libc.mmap(0, length, prot, flags, -1, 0);
        if (address == LibC.MAP_FAILED)
        {
            throw NativeException.lastError("mmap", length + " bytes of anonymous memory");
        }
        return finish(address, length, pageSize, false);
    }

    private static DmaMemory finish(final long address, final long length, final long pageSize, final boolean huge)
    {
        final LibC libc = LibC.libc();
        if (libc.madvise(address, length, LibC.MADV_DONTFORK) != 0)
        {
            final NativeException ex = NativeException.lastError("madvise(MADV_DONTFORK)", length + " bytes");
            libc.munmap(address, length);
            throw ex;
        }
        final boolean locked = libc.mlock(address, length) == 0;
        if (!locked)
        {
            logMlockFailure(LibC.errno(), length);
        }
        return new DmaMemory(address, length, pageSize, huge, locked);
    }

    private static long systemPageSize()
    {
        final long size = LibC.libc().sysconf(LibC.SC_PAGESIZE);
        return size > 0 ? size : MemoryPage.SIZE;
    }

    /**
     * Says that a device that maps DMA memory through a real IOMMU (VFIO) is in use, so that a fallback to normal
     * pages is logged with the advice to reserve hugepages; for the emulated device it is logged at debug level.
     */
    public static void hugepagesMatter()
    {
        hugepagesMatter = true;
    }

    private static void logHugepageFallback(final String why)
    {
        if (!hugepagesMatter)
        {
            LOG.debug("DMA memory uses normal pages instead of 2 MiB hugepages: {}", why);
        }
        else if (HUGEPAGE_FALLBACK_LOGGED.compareAndSet(false, true))
        {
            LOG.info("DMA memory uses normal pages instead of 2 MiB hugepages: {}. Reserve hugepages with e.g. " +
                "'nvmeq setup hugepages 512'. (Logged once per JVM.)", why);
        }
    }

    private static void logMlockFailure(final int errno, final long length)
    {
        if (MLOCK_FAILURE_LOGGED.compareAndSet(false, true))
        {
            final long[] limit = new long[2];
            final String soft = LibC.libc().getrlimit(LibC.RLIMIT_MEMLOCK, limit) == 0 ?
                (limit[0] == LibC.RLIM_INFINITY ? "unlimited" : limit[0] + " bytes") : "unknown";
            LOG.warn("mlock of {} bytes of DMA memory failed: errno {} ({}); RLIMIT_MEMLOCK is {}. The emulated " +
                "device does not need locked memory, but VFIO pins every page it maps and fails beyond this limit: " +
                "raise it with 'ulimit -l unlimited', a 'memlock' line in /etc/security/limits.conf, systemd's " +
                "LimitMEMLOCK= or docker's --ulimit memlock=-1. (Logged once per JVM.)",
                length, errno, LibC.strerrorText(errno), soft);
        }
    }

    /** The virtual address of the first byte; a multiple of {@link #pageSize()}. */
    public long address()
    {
        return address;
    }

    /** The mapped length in bytes: the requested size rounded up to whole pages. */
    public long length()
    {
        return length;
    }

    /** 2 MiB with hugepages, else the system page size (4 KiB on x86-64). */
    public long pageSize()
    {
        return pageSize;
    }

    public boolean hugePages()
    {
        return hugePages;
    }

    /** Whether mlock succeeded, i.e. the pages cannot be swapped out. */
    public boolean locked()
    {
        return locked;
    }

    /** A buffer over the whole region; after {@link #close()} it is empty, so stray accesses fail bounds checks. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public boolean isClosed()
    {
        return closed.get();
    }

    /** Unmaps the region. Idempotent. Nothing (no device either) may touch the memory afterwards. */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            buffer.wrap(new byte[0]);
            if (LibC.libc().munmap(address, length) != 0)
            {
                throw NativeException.lastError("munmap", length + " bytes at 0x" + Long.toHexString(address));
            }
        }
    }

    @Override
    public String toString()
    {
        return "DmaMemory[0x" + Long.toHexString(address) + ", " + length + " bytes, " +
            (hugePages ? "2 MiB pages" : pageSize + "-byte pages") + (locked ? ", locked" : "") +
            (closed.get() ? ", closed" : "") + "]";
    }
}
