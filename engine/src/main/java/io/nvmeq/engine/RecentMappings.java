package io.nvmeq.engine;

/**
 * The last few temporary mappings of one {@link TemporaryMappings} holder, each with the buffer it was
 * made for: a request on the same buffer object, inside the pages mapped then, reuses the mapping (no
 * IOMMU call, no room taken in a lease) while its lease has not gone back. An application that does
 * I/O from a handful of direct buffers over and over then maps each once per epoch, not once per
 * request.
 *
 * <p>Why the buffer object and not the address alone: memory freed and allocated again at the same
 * address may be other physical pages, which the old mapping (of the pages pinned then) must never be
 * used for. An entry holds its buffer, so that memory stays allocated while it is cached; a request
 * through another object naming the same bytes simply maps anew. Holder-only, allocation-free;
 * replaced round-robin.
 */
final class RecentMappings
{
    static final int ENTRIES = 16;

    private final Object[] owner = new Object[ENTRIES];
    private final long[] pageStart = new long[ENTRIES];
    private final long[] pageEnd = new long[ENTRIES];
    private final long[] iova = new long[ENTRIES];
    private final IovaLease[] lease = new IovaLease[ENTRIES];
    private int next;

    /**
     * The IOVA of byte {@code address} through a cached mapping of {@code buffer} covering the pages
     * [start, end), counted as one more use of its lease; {@link IovaSpace#NO_IOVA} if there is none.
     */
    long reuse(final Object buffer, final long start, final long end, final long address)
    {
        for (int i = 0; i < ENTRIES; i++)
        {
            if (owner[i] == buffer && start >= pageStart[i] && end <= pageEnd[i])
            {
                if (lease[i].reuse())
                {
                    return iova[i] + (address - pageStart[i]);
                }
                // Its lease is going back (or has gone): the mapping is about to be unmapped.
                clear(i);
            }
        }
        return IovaSpace.NO_IOVA;
    }

    /** Remembers a fresh mapping of [start, end) at {@code mappedIova}, in {@code inLease}, for {@code buffer}. */
    void remember(final Object buffer, final long start, final long end, final long mappedIova, final IovaLease inLease)
    {
        final int i = next;
        next = (i + 1) & (ENTRIES - 1);
        owner[i] = buffer;
        pageStart[i] = start;
        pageEnd[i] = end;
        iova[i] = mappedIova;
        lease[i] = inLease;
    }

    /** Drops the entries of a lease that went back, and the buffers they hold. */
    void forget(final IovaLease gone)
    {
        for (int i = 0; i < ENTRIES; i++)
        {
            if (lease[i] == gone)
            {
                clear(i);
            }
        }
    }

    private void clear(final int i)
    {
        owner[i] = null;
        lease[i] = null;
        pageStart[i] = 0;
        pageEnd[i] = 0;
    }
}
