package io.nvmeq.examples.faults;

import java.util.Arrays;

/**
 * What each block of one client's share may hold, given the answers the client got. Blocks are one logical
 * block each (the device's unit of write atomicity), and the client never has two requests on one block at once,
 * so the answers for a block arrive in the order its requests were sent. The rule:
 * <ul>
 *   <li>A write that was acknowledged settles the block: from then on it holds exactly that write's content.</li>
 *   <li>A write answered with an error (any typed error: the device refused it, it timed out and was aborted, its
 *       queue pair was restarted, the controller was reset) may or may not have reached the medium, so the block
 *       holds either its settled content or the content of one of the failed writes sent since.</li>
 *   <li>A successful read settles the block again at what it found: an answered write must not land later, after
 *       a read has shown it did not.</li>
 * </ul>
 * Write sequences per block increase by one per write sent, so the failed writes since the last settlement are
 * one contiguous range of sequences. Owned by the client's thread alone.
 */
final class BlockLedger
{
    private static final long NONE = -1;

    private final long[] nextSequence;
    private final long[] settled;
    private final long[] failedFrom;
    private final long[] failedTo;
    private final boolean[] busy;

    /** A ledger for {@code blocks} blocks whose content is not known yet: {@link #settle} each before use. */
    BlockLedger(final int blocks)
    {
        nextSequence = new long[blocks];
        settled = new long[blocks];
        failedFrom = new long[blocks];
        failedTo = new long[blocks];
        busy = new boolean[blocks];
        Arrays.fill(settled, NONE);
        Arrays.fill(failedFrom, NONE);
        Arrays.fill(failedTo, NONE);
    }

    int blocks()
    {
        return busy.length;
    }

    boolean busy(final int block)
    {
        return busy[block];
    }

    /** The block has a request outstanding until {@link #release}; no second one may be sent. */
    void acquire(final int block)
    {
        if (busy[block])
        {
            throw new IllegalStateException("block " + block + " already has a request outstanding");
        }
        busy[block] = true;
    }

    void release(final int block)
    {
        busy[block] = false;
    }

    /** The sequence of the next write of {@code block}; each call hands out a new one. */
    long nextWrite(final int block)
    {
        return nextSequence[block]++;
    }

    /** The write of {@code sequence} was acknowledged, or a read found it: the block holds exactly it. */
    void settle(final int block, final long sequence)
    {
        settled[block] = sequence;
        failedFrom[block] = NONE;
        failedTo[block] = NONE;
        if (nextSequence[block] <= sequence)
        {
            nextSequence[block] = sequence + 1;
        }
    }

    /** The write of {@code sequence} was answered with an error: its content may or may not be on the medium. */
    void writeFailed(final int block, final long sequence)
    {
        if (failedFrom[block] == NONE)
        {
            failedFrom[block] = sequence;
        }
        failedTo[block] = sequence;
    }

    /** Whether the block may hold the content of write {@code sequence} now. */
    boolean acceptable(final int block, final long sequence)
    {
        return sequence == settled[block] ||
            (failedFrom[block] != NONE && sequence >= failedFrom[block] && sequence <= failedTo[block]);
    }

    /** Whether the block's content is known: it was settled at least once. */
    boolean known(final int block)
    {
        return settled[block] != NONE;
    }

    /** What the block may hold, for a corruption report: "write 7" or "write 7, or failed writes 8..9". */
    String expected(final int block)
    {
        final String settledText = settled[block] == NONE ? "unknown content" : "write " + settled[block];
        if (failedFrom[block] == NONE)
        {
            return settledText;
        }
        return settledText + ", or failed write" + (failedFrom[block] == failedTo[block] ?
            " " + failedFrom[block] : "s " + failedFrom[block] + ".." + failedTo[block]);
    }
}
