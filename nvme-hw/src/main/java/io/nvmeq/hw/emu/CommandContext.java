package io.nvmeq.hw.emu;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * What a command needs while it executes, owned by one submission queue and used under its lock:
 * a private copy of the fetched entry (so that the host rewriting its ring cannot change a command
 * half-way), the PRP resolver and a page of controller memory for Identify data and DSM ranges.
 * All of it is allocated once, with the queue.
 */
final class CommandContext
{
    static final int SCRATCH_SIZE = 4096;

    final UnsafeBuffer entryMemory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SubmissionEntry.SIZE, 64));
    final SubmissionEntry entry = new SubmissionEntry().wrap(entryMemory, 0);
    final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SCRATCH_SIZE, SCRATCH_SIZE));
    final PrpList prps;
    /** The submission queue the command came from. */
    final int sqId;
    /** That queue's Read and Write counts. */
    final IoCounters io;
    /** Command specific DW0 of the completion, set by the command. */
    int dw0;

    CommandContext(final int sqId, final PrpList prps, final IoCounters io)
    {
        this.sqId = sqId;
        this.prps = prps;
        this.io = io;
    }
}
