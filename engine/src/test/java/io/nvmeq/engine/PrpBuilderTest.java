package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.SubmissionEntry;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PRP builder against an independent reading of NVMe base spec 2.0 §4.1.1: a device-side walk of
 * the PRPs must cover exactly the bytes of the transfer, in order, with only PRP1 carrying an offset.
 */
class PrpBuilderTest
{
    private static final long LIST_IOVA = 0x7000_0000L;

    private final UnsafeBuffer sqeMemory = new UnsafeBuffer(new byte[SubmissionEntry.SIZE]);
    private final UnsafeBuffer listMemory = new UnsafeBuffer(new byte[PrpBuilder.PAGE_SIZE]);
    private final SubmissionEntry entry = new SubmissionEntry().wrap(sqeMemory, 0);

    @Property(tries = 5000)
    void prpsDescribeExactlyTheTransfer(
        @ForAll @LongRange(min = 0x10000, max = 1L << 38) final long base,
        @ForAll @IntRange(min = 0, max = 4095) final int dwordOffset,
        @ForAll @IntRange(min = 1, max = 512 * 4096 - 4096) final int length)
    {
        final long iova = (base & ~4095L) + (dwordOffset & ~3);
        entry.clear();
        PrpBuilder.describe(entry, iova, length, listMemory, 0, LIST_IOVA);

        final List<long[]> segments = walk(entry.prp1(), entry.prp2(), length);
        long expected = iova;
        long covered = 0;
        for (final long[] segment : segments)
        {
            assertEquals(expected, segment[0], "segments must continue where the last one ended");
            expected += segment[1];
            covered += segment[1];
        }
        assertEquals(length, covered);
        assertEquals(PrpBuilder.pagesSpanned(iova, length), segments.size());
    }

    @Test
    void oneAndTwoPageTransfersNeedNoList()
    {
        PrpBuilder.describe(entry.clear(), 0x20000, 4096, listMemory, 0, LIST_IOVA);
        assertEquals(0x20000, entry.prp1());
        assertEquals(0, entry.prp2());

        PrpBuilder.describe(entry.clear(), 0x20800, 4096, listMemory, 0, LIST_IOVA);
        assertEquals(0x20800, entry.prp1());
        assertEquals(0x21000, entry.prp2(), "the second page, not a list");

        PrpBuilder.describe(entry.clear(), 0x20000, 3 * 4096, listMemory, 0, LIST_IOVA);
        assertEquals(LIST_IOVA, entry.prp2(), "three pages need a list");
        assertEquals(0x21000, listMemory.getLong(0));
        assertEquals(0x22000, listMemory.getLong(8));
    }

    /** A device's reading of PRP1/PRP2 and the list (§4.1.1): (address, length) per page touched. */
    private List<long[]> walk(final long prp1, final long prp2, final int length)
    {
        final List<long[]> segments = new ArrayList<>();
        final int first = (int)Math.min(length, 4096 - (prp1 & 4095));
        segments.add(new long[] {prp1, first});
        int remaining = length - first;
        if (remaining == 0)
        {
            assertEquals(0, prp2 & 4095);
            return segments;
        }
        if (remaining <= 4096)
        {
            assertEquals(0, prp2 & 4095, "PRP2 as a data pointer is page-aligned");
            segments.add(new long[] {prp2, remaining});
            return segments;
        }
        assertEquals(LIST_IOVA, prp2);
        int index = 0;
        while (remaining > 0)
        {
            assertTrue(index < 512, "one list page at most");
            final long page = listMemory.getLong(index * 8);
            assertEquals(0, page & 4095, "list entries are page-aligned");
            final int chunk = Math.min(remaining, 4096);
            segments.add(new long[] {page, chunk});
            remaining -= chunk;
            index++;
        }
        return segments;
    }
}
