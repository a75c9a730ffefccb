package io.nvmeq.actors.remote;

/**
 * What a request is, for the messages of its errors ("read of 8 blocks at LBA 4096"): kept as its fields
 * and spelt out only when an error needs it, so a request that succeeds builds no text.
 *
 * @param operation "read", "write", "flush", ...
 * @param ranged    it covers {@code blocks} blocks from {@code lba} (else those two are unused)
 */
record RequestLabel(String operation, boolean ranged, long lba, long blocks)
{
    static RequestLabel ranged(final String operation, final long lba, final long blocks)
    {
        return new RequestLabel(operation, true, lba, blocks);
    }

    static RequestLabel of(final String operation)
    {
        return new RequestLabel(operation, false, 0, 0);
    }

    @Override
    public String toString()
    {
        return ranged ? operation + " of " + blocks + " blocks at LBA " + lba : operation;
    }
}
