package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * Describes a transfer with Physical Region Page entries (NVMe base spec 2.0 §4.1.1): PRP1 points at the
 * first byte and may carry an offset into its page; every later entry is page-aligned. Two pages in all
 * → PRP2 is the second page; more → PRP2 points to a PRP list. The driver caps a transfer at one list
 * page (512 entries, 2 MiB with 4 KiB pages), so lists never chain.
 */
final class PrpBuilder
{
    static final int PAGE_SIZE = 4096;
    static final int PAGE_MASK = PAGE_SIZE - 1;
    static final int ENTRIES_PER_LIST = PAGE_SIZE / Long.BYTES;
    /** The most bytes one list page can describe wherever the transfer starts. */
    static final long MAX_TRANSFER = (long)ENTRIES_PER_LIST * PAGE_SIZE;

    private PrpBuilder()
    {
    }

    /** Pages a transfer of {@code length} bytes starting at {@code iova} touches. */
    static int pagesSpanned(final long iova, final long length)
    {
        final long first = iova & ~(long)PAGE_MASK;
        final long end = iova + length;
        return (int)((end - first + PAGE_MASK) >>> 12);
    }

    /**
     * Writes PRP1 and PRP2 of {@code entry} for {@code length} bytes at {@code iova}; if a list is
     * needed, fills it at {@code listOffset} of {@code list}, whose first byte is at {@code listIova}.
     */
    static void describe(
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
        final int listEntries = (remaining + PAGE_MASK) >>> 12;
        for (int i = 0; i < listEntries; i++)
        {
            list.putLong(listOffset + i * Long.BYTES, secondPage + (long)i * PAGE_SIZE);
        }
        entry.prp2(listIova);
    }
}
