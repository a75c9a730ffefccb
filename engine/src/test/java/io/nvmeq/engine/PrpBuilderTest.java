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
    private static final int MAX_LENGTH = 8 << 20;

    private final UnsafeBuffer sqeMemory = new UnsafeBuffer(new byte[SubmissionEntry.SIZE]);
    /** Room for the list pages of the largest transfer tried, placed after one unused page. */
    private static final int LIST_PAGES = 1 + PrpBuilder.listPagesForTransfer(MAX_LENGTH);
    private final UnsafeBuffer listMemory = new UnsafeBuffer(new byte[LIST_PAGES * PrpBuilder.PAGE_SIZE]);
    private final SubmissionEntry entry = new SubmissionEntry().wrap(sqeMemory, 0);

    @Property(tries = 5000)
    void prpsDescribeExactlyTheTransfer(
        @ForAll @LongRange(min = 0x10000, max = 1L << 38) final long base,
        @ForAll @IntRange(min = 0, max = 4095) final int dwordOffset,
        @ForAll @IntRange(min = 1, max = MAX_LENGTH) final int length,
        @ForAll final boolean listAtSecondPage)
    {
        final long iova = (base & ~4095L) + (dwordOffset & ~3);
        final int listOffset = listAtSecondPage ? PrpBuilder.PAGE_SIZE : 0;
        entry.clear();
        listMemory.setMemory(0, listMemory.capacity(), (byte)0xA5);
        PrpBuilder.describe(entry, iova, length, listMemory, listOffset, LIST_IOVA + listOffset);

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

    @Test
    void listsChainThroughTheLastEntryOfEachFullPage()
    {
        // 1 + 512 pages: PRP1's page, then 512 entries: exactly one full list page, no chain.
        PrpBuilder.describe(entry.clear(), 0x100000, 513 * 4096, listMemory, 0, LIST_IOVA);
        assertEquals(0x100000 + 512 * 4096L, listMemory.getLong(511 * 8), "the 512th entry is data");
        // One more page: 511 data entries, then a pointer to the next list page with two entries.
        PrpBuilder.describe(entry.clear(), 0x100000, 514 * 4096, listMemory, 0, LIST_IOVA);
        assertEquals(LIST_IOVA + 4096, listMemory.getLong(511 * 8));
        assertEquals(0x100000 + 512 * 4096L, listMemory.getLong(4096));
        assertEquals(0x100000 + 513 * 4096L, listMemory.getLong(4096 + 8));
        assertEquals(1, PrpBuilder.listPagesFor(512));
        assertEquals(2, PrpBuilder.listPagesFor(513));
        assertEquals(2, PrpBuilder.listPagesFor(1023));
        assertEquals(3, PrpBuilder.listPagesFor(1024));
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
        // PRP2 points to a list; a list page's last entry points to the next list page when more
        // than it can hold remain (§4.1.1, Figure 92). Pointers are followed, never assumed adjacent.
        long list = prp2;
        int index = 0;
        int listPages = 1;
        while (remaining > 0)
        {
            assertEquals(0, list & 7, "a list pointer is qword-aligned");
            final long at = list - LIST_IOVA + index * 8L;
            assertTrue(at >= 0 && at + 8 <= listMemory.capacity(), "list pointer outside the list memory");
            final long value = listMemory.getLong((int)at);
            final int entriesLeft = (remaining + 4095) / 4096;
            if (index == 511 && entriesLeft > 1)
            {
                assertEquals(0, value & 4095, "a chain pointer is page-aligned");
                list = value;
                index = 0;
                listPages++;
                continue;
            }
            assertEquals(0, value & 4095, "list entries are page-aligned");
            final int chunk = Math.min(remaining, 4096);
            segments.add(new long[] {value, chunk});
            remaining -= chunk;
            index++;
        }
        assertTrue(listPages <= PrpBuilder.listPagesFor((length + 4095) / 4096), "more list pages than budgeted");
        return segments;
    }
}
