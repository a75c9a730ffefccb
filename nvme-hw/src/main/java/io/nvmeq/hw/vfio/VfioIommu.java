package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.nativeio.LibC;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The IOMMU of a VFIO Type1 v2 container: {@code VFIO_IOMMU_MAP_DMA} pins host pages and maps them at an
 * IOVA for every device of the container, {@code VFIO_IOMMU_UNMAP_DMA} removes whole mappings. Arguments
 * are checked here first (alignment, usable ranges), so that the kernel's EINVAL only means what is left
 * (an unmap that would split a mapping). Calls are serialised (the kernel serialises them per container
 * anyway) and reuse one argument buffer, so mapping allocates nothing.
 *
 * <pre>
 * struct vfio_iommu_type1_dma_map {   struct vfio_iommu_type1_dma_unmap {
 *     __u32 argsz;  // 0                 __u32 argsz;  // 0
 *     __u32 flags;  // 4                 __u32 flags;  // 4
 *     __u64 vaddr;  // 8                 __u64 iova;   // 8
 *     __u64 iova;   // 16                __u64 size;   // 16: the kernel writes back the bytes unmapped
 *     __u64 size;   // 24            };                // 24 bytes
 * };                // 32 bytes
 * </pre>
 */
final class VfioIommu implements Iommu
{
    static final int MAP_SIZE = 32;
    static final int UNMAP_SIZE = 24;

    /** vfio_iommu_type1's dma_entry_limit default. */
    static final int DEFAULT_MAPPING_LIMIT = 65535;

    private final String uri;
    private final int containerFd;
    private final int pageSize;
    private final List<IovaRange> usableRanges;
    private final int mappingLimit;
    private final UnsafeBuffer argument = new UnsafeBuffer(ByteBuffer.allocateDirect(MAP_SIZE));
    private long mappedBytes;
    private boolean closed;

    VfioIommu(final String uri, final int containerFd, final int pageSize, final List<IovaRange> usableRanges,
        final int mappingLimit)
    {
        this.uri = uri;
        this.containerFd = containerFd;
        this.pageSize = pageSize;
        this.usableRanges = List.copyOf(usableRanges);
        this.mappingLimit = mappingLimit;
    }

    @Override
    public int pageSize()
    {
        return pageSize;
    }

    @Override
    public List<IovaRange> usableRanges()
    {
        return usableRanges;
    }

    @Override
    public int mappingLimit()
    {
        return mappingLimit;
    }

    /**
     * {@inheritDoc}
     *
     * @throws VfioSetupException (problem {@code MEMLOCK_LIMIT}) if pinning the pages would exceed
     *                            RLIMIT_MEMLOCK; nothing is mapped then either
     */
    @Override
    public synchronized void map(final long hostAddress, final long length, final long iova)
    {
        ensureOpen();
        final long mask = pageSize - 1;
        if (length <= 0 || ((hostAddress | length | iova) & mask) != 0)
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "map of 0x%x bytes from 0x%x at IOVA 0x%x: address, IOVA and length must be non-zero multiples of %d",
                length, hostAddress, iova, pageSize));
        }
        if (!usable(iova, length))
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "map of 0x%x bytes at IOVA 0x%x: outside the usable IOVA ranges %s", length, iova, rangesText()));
        }
        argument.putInt(0, MAP_SIZE);
        argument.putInt(4, VfioIoctls.DMA_MAP_READ_WRITE);
        argument.putLong(8, hostAddress);
        argument.putLong(16, iova);
        argument.putLong(24, length);
        if (VfioLibC.libc().ioctl(containerFd, VfioIoctls.IOMMU_MAP_DMA, argument.addressOffset()) != 0)
        {
            throw mapFailure(VfioLibC.errno(), hostAddress, length, iova);
        }
        mappedBytes += length;
    }

    RuntimeException mapFailure(final int errno, final long hostAddress, final long length, final long iova)
    {
        final String what = String.format("VFIO_IOMMU_MAP_DMA of 0x%x bytes from 0x%x at IOVA 0x%x: %s",
            length, hostAddress, iova, SetupProblems.errnoText(errno));
        switch (errno)
        {
            case VfioLibC.EEXIST:
                return new IommuException(IommuException.Reason.EXISTS, what + ": overlaps a mapping");
            case VfioLibC.ENOSPC:
                return new IommuException(IommuException.Reason.NO_SPACE, what + ": the container holds its " +
                    "limit of " + mappingLimit + " mappings (vfio_iommu_type1 dma_entry_limit)");
            case VfioLibC.ENOMEM:
                final long[] limit = new long[2];
                final long soft = LibC.libc().getrlimit(LibC.RLIMIT_MEMLOCK, limit) == 0 ? limit[0] : -2;
                return SetupProblems.memlock(uri, length, soft, ProcessStatus.hasIpcLock());
            default:
                return new IommuException(IommuException.Reason.INVALID, what + " (host memory not mapped " +
                    "read-write in this process, or an IOVA the IOMMU refuses; " + mappedBytes + " bytes mapped now)");
        }
    }

    @Override
    public synchronized long unmap(final long iova, final long length)
    {
        ensureOpen();
        final long mask = pageSize - 1;
        if (length <= 0 || ((iova | length) & mask) != 0 || iova + length < iova)
        {
            throw new IommuException(IommuException.Reason.INVALID, String.format(
                "unmap of 0x%x bytes at IOVA 0x%x: IOVA and length must be non-zero multiples of %d",
                length, iova, pageSize));
        }
        argument.putInt(0, UNMAP_SIZE);
        argument.putInt(4, 0);
        argument.putLong(8, iova);
        argument.putLong(16, length);
        if (VfioLibC.libc().ioctl(containerFd, VfioIoctls.IOMMU_UNMAP_DMA, argument.addressOffset()) != 0)
        {
            final int errno = VfioLibC.errno();
            // Arguments are aligned (checked above), so EINVAL means Type1 v2's refusal to split a mapping.
            throw new IommuException(errno == VfioLibC.EINVAL ? IommuException.Reason.NOT_MAPPED :
                IommuException.Reason.INVALID, String.format(
                "VFIO_IOMMU_UNMAP_DMA of 0x%x bytes at IOVA 0x%x: %s%s", length, iova, SetupProblems.errnoText(errno),
                errno == VfioLibC.EINVAL ? ": the range would split a mapping; nothing was unmapped" : ""));
        }
        final long unmapped = argument.getLong(16);
        mappedBytes -= unmapped;
        return unmapped;
    }

    /** Bytes mapped through this IOMMU now. */
    synchronized long mappedBytes()
    {
        return mappedBytes;
    }

    /** Called when the container closes (which drops every mapping): later calls fail instead of using a stale fd. */
    synchronized void markClosed()
    {
        closed = true;
        mappedBytes = 0;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the VFIO device " + uri + " is closed");
        }
    }

    private boolean usable(final long iova, final long length)
    {
        for (int i = 0; i < usableRanges.size(); i++)
        {
            if (usableRanges.get(i).contains(iova, length))
            {
                return true;
            }
        }
        return false;
    }

    private String rangesText()
    {
        final StringBuilder text = new StringBuilder();
        for (final IovaRange range : usableRanges)
        {
            text.append(text.length() == 0 ? "" : ", ")
                .append(String.format("[0x%x, 0x%x)", range.start(), range.end()));
        }
        return text.toString();
    }
}
