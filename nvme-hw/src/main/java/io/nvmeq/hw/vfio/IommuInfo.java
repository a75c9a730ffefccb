package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.IovaRange;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What {@code VFIO_IOMMU_GET_INFO} says about a Type1 container: the IOMMU page sizes and, from the
 * capability chain, the usable IOVA ranges (kernels since 5.4) and how many more DMA mappings the
 * container may hold (5.10).
 *
 * <pre>
 * struct vfio_iommu_type1_info {                 struct vfio_info_cap_header {
 *     __u32 argsz;        // 0                       __u16 id;       // 0
 *     __u32 flags;        // 4                       __u16 version;  // 2
 *     __u64 iova_pgsizes; // 8                       __u32 next;     // 4: offset from the info start, 0 = last
 *     __u32 cap_offset;   // 16                  };
 *     __u32 pad;          // 20                  IOVA_RANGE (id 1): header, __u32 nr_iovas @8, __u32 reserved @12,
 * };                      // 24 bytes               { __u64 start; __u64 end (inclusive); } ranges[] @16
 *                                                DMA_AVAIL (id 3): header, __u32 avail @8
 * </pre>
 */
record IommuInfo(long pageSizes, List<IovaRange> usableRanges, OptionalInt dmaAvailable)
{
    static final int SIZE = 24;
    static final int ARGSZ = 0;
    static final int FLAGS = 4;
    static final int IOVA_PGSIZES = 8;
    static final int CAP_OFFSET = 16;

    static final int CAP_ID = 0;
    static final int CAP_NEXT = 4;
    static final int RANGES_COUNT = 8;
    static final int RANGES = 16;
    static final int RANGE_SIZE = 16;
    static final int DMA_AVAIL = 8;

    /** The IOVA space assumed when the kernel does not report ranges: 48 bits, the usual IOMMU width. */
    static final IovaRange DEFAULT_RANGE = new IovaRange(0, 1L << 48);

    /** Capability chains are short; more links than this means a corrupt (looping) chain. */
    private static final int MAX_CAPABILITIES = 64;

    /** The smallest IOMMU page size (the lowest bit of iova_pgsizes); 4096 if none was reported. */
    int pageSize()
    {
        return pageSizes == 0 ? 4096 : (int)Long.lowestOneBit(pageSizes);
    }

    /**
     * Parses the info the kernel filled into {@code info}, of which {@code length} bytes are valid.
     *
     * @throws IllegalArgumentException if a capability lies outside those bytes or the chain loops
     */
    static IommuInfo parse(final DirectBuffer info, final int length)
    {
        if (length < SIZE)
        {
            throw new IllegalArgumentException("vfio_iommu_type1_info of " + length + " bytes, at least " + SIZE +
                " expected");
        }
        final int flags = info.getInt(FLAGS);
        final long pageSizes = (flags & VfioIoctls.IOMMU_INFO_PGSIZES) != 0 ? info.getLong(IOVA_PGSIZES) : 0;
        List<IovaRange> ranges = List.of(DEFAULT_RANGE);
        OptionalInt dmaAvailable = OptionalInt.empty();
        if ((flags & VfioIoctls.IOMMU_INFO_CAPS) != 0)
        {
            int offset = info.getInt(CAP_OFFSET);
            int seen = 0;
            while (offset != 0)
            {
                if (offset < SIZE || offset + 8 > length || ++seen > MAX_CAPABILITIES)
                {
                    throw new IllegalArgumentException("bad capability chain: a capability at offset " + offset +
                        " of " + length + " bytes (link " + seen + ")");
                }
                final int id = info.getShort(offset + CAP_ID) & 0xffff;
                if (id == VfioIoctls.IOMMU_CAP_IOVA_RANGE)
                {
                    ranges = ranges(info, offset, length);
                }
                else if (id == VfioIoctls.IOMMU_CAP_DMA_AVAIL && offset + DMA_AVAIL + 4 <= length)
                {
                    dmaAvailable = OptionalInt.of(info.getInt(offset + DMA_AVAIL));
                }
                offset = info.getInt(offset + CAP_NEXT);
            }
        }
        return new IommuInfo(pageSizes, ranges, dmaAvailable);
    }

    private static List<IovaRange> ranges(final DirectBuffer info, final int offset, final int length)
    {
        final int count = info.getInt(offset + RANGES_COUNT);
        if (count < 0 || offset + RANGES + (long)count * RANGE_SIZE > length)
        {
            throw new IllegalArgumentException("IOVA range capability with " + count + " ranges does not fit in " +
                length + " bytes");
        }
        final List<IovaRange> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final long start = info.getLong(offset + RANGES + i * RANGE_SIZE);
            final long lastByte = info.getLong(offset + RANGES + i * RANGE_SIZE + 8);
            // The kernel's end is inclusive and may be 2^64 - 1; IovaRange's end is exclusive and a signed
            // long, so a range reaching past 2^63 is cut there (no IOMMU has more than 57 address bits).
            if (start < 0)
            {
                continue;
            }
            final long end = lastByte < 0 || lastByte == Long.MAX_VALUE ? Long.MAX_VALUE : lastByte + 1;
            if (end > start)
            {
                ranges.add(new IovaRange(start, end));
            }
        }
        return List.copyOf(ranges);
    }
}
