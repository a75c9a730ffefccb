package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * Describes a transfer with Physical Region Page entries (NVMe base spec 2.0 §4.1.1): PRP1 points at the
 * first byte and may carry an offset into its page; every later entry is page-aligned. Two pages in all
 * → PRP2 is the second page; more → PRP2 points to a PRP list. A list page holds 512 entries; when more
 * remain, its last entry points to the next list page instead (a chain, Figure 92), so one command may
 * describe any transfer that its pre-allocated list pages cover. Public for benchmarks and tools; it
 * allocates nothing.
 */
public final class PrpBuilder
{
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_MASK = PAGE_SIZE - 1;
    public static final int PAGE_SHIFT = 12;
    public static final int ENTRIES_PER_LIST = PAGE_SIZE / Long.BYTES;

    private PrpBuilder()
    {
    }

    /** Pages a transfer of {@code length} bytes starting at {@code iova} touches. */
    public static int pagesSpanned(final long iova, final long length)
    {
        final long first = iova & ~(long)PAGE_MASK;
        final long end = iova + length;
        return (int)((end - first + PAGE_MASK) >>> PAGE_SHIFT);
    }

    /** List pages needed for {@code entries} list entries (the pages after the first): chains take one slot per page. */
    public static int listPagesFor(final int entries)
    {
        if (entries <= ENTRIES_PER_LIST)
        {
            return 1;
        }
        return 1 + (entries - ENTRIES_PER_LIST + ENTRIES_PER_LIST - 2) / (ENTRIES_PER_LIST - 1);
    }

    /** List pages that a transfer of up to {@code maxBytes}, starting anywhere, may need. */
    public static int listPagesForTransfer(final long maxBytes)
    {
        return listPagesFor((int)((maxBytes + PAGE_MASK) >>> PAGE_SHIFT));
    }

    /**
     * Writes PRP1 and PRP2 of {@code entry} for {@code length} bytes at {@code iova}; if a list is
     * needed, fills it from {@code listOffset} of {@code list}, whose byte there is at {@code listIova},
     * chaining into the following pages of {@code list} when one page is not enough.
     */
    public static void describe(
        final SubmissionEntry entry,
        final long iova,
        final int length,
        final UnsafeBuffer list,
        final int listOffset,
        final long listIova)
    {
        entry.prp1(iova);
        final int firstChunk = PAGE_SIZE - (int)(iova & PAGE_MASK);
        if (length <= firstChunk)
        {
            entry.prp2(0);
            return;
        }
        final long secondPage = iova + firstChunk;
        final int remaining = length - firstChunk;
        if (remaining <= PAGE_SIZE)
        {
            entry.prp2(secondPage);
            return;
        }
        int entries = (remaining + PAGE_MASK) >>> PAGE_SHIFT;
        long page = secondPage;
        int offset = listOffset;
        long pageIova = listIova;
        while (entries > ENTRIES_PER_LIST)
        {
            // A full page of data pointers but one, then the pointer to the next list page.
            for (int i = 0; i < ENTRIES_PER_LIST - 1; i++)
            {
                list.putLong(offset + i * Long.BYTES, page);
                page += PAGE_SIZE;
            }
            list.putLong(offset + (ENTRIES_PER_LIST - 1) * Long.BYTES, pageIova + PAGE_SIZE);
            entries -= ENTRIES_PER_LIST - 1;
            offset += PAGE_SIZE;
            pageIova += PAGE_SIZE;
        }
        for (int i = 0; i < entries; i++)
        {
            list.putLong(offset + i * Long.BYTES, page);
            page += PAGE_SIZE;
        }
        entry.prp2(listIova);
    }
}
