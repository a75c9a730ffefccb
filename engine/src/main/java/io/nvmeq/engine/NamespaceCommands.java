package io.nvmeq.engine;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * NVM command set commands of one queue pair (SPDK's nvme_ns_cmd.c): checks each request against its
 * namespace, splits transfers at the transfer limit, and encodes Read/Write, Flush, Write Zeroes and
 * Dataset Management into the entries {@link QueuePair} hands out. Everything is checked before any
 * entry is claimed, so bad input changes nothing. Confined to the queue pair's owner thread.
 */
final class NamespaceCommands
{
    /** Write Zeroes CDW12 bit 25: Deallocate (NVM command set 1.0 §3.2.8). */
    private static final int WZ_DEALLOCATE = 1 << 25;
    /** Dataset Management CDW11 bit 2: Attribute - Deallocate (§3.2.3). */
    private static final int DSM_DEALLOCATE = 1 << 2;
    private static final int DSM_MAX_RANGES = 256;
    private static final int DSM_RANGE_BYTES = 16;
    private static final long DSM_RANGE_MAX_BLOCKS = 0xFFFF_FFFFL;
    /** NLB is a 16-bit zero-based field: one command moves at most 65536 blocks. */
    private static final int MAX_BLOCKS_PER_COMMAND = 65536;

    private final QueuePair queue;
    private final NamespaceInfo[] namespaces;
    private final DmaBuffer prpLists;
    private final UnsafeBuffer lists;
    private final int listBytesPerCommand;
    private final int capacity;

    NamespaceCommands(final QueuePair queue, final NamespaceInfo[] namespaces, final DmaBuffer prpLists,
        final int listBytesPerCommand)
    {
        this.queue = queue;
        this.namespaces = namespaces;
        this.prpLists = prpLists;
        this.lists = prpLists.buffer();
        this.listBytesPerCommand = listBytesPerCommand;
        this.capacity = queue.capacity();
    }

    boolean flush(final int nsid, final CompletionHandler handler, final long token)
    {
        namespace(nsid);
        if (!queue.usable(handler) || queue.freeCommands() == 0)
        {
            return false;
        }
        final int request = queue.beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        queue.prepareCommand(Opcodes.NVM_FLUSH, request).namespaceId(nsid);
        queue.commit();
        return true;
    }

    boolean writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate, final boolean fua,
        final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        if (blocks < 1 || blocks > MAX_BLOCKS_PER_COMMAND)
        {
            throw new InvalidRequestException("Write Zeroes takes 1..65536 blocks, not " + blocks);
        }
        checkRange(namespace, lba, blocks);
        if (!queue.usable(handler) || queue.freeCommands() == 0)
        {
            return false;
        }
        final int request = queue.beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        queue.prepareCommand(Opcodes.NVM_WRITE_ZEROES, request)
            .namespaceId(nsid)
            .startingLba(lba)
            .cdw(12, (blocks - 1) | (deallocate ? WZ_DEALLOCATE : 0) | (fua ? Opcodes.RW_FUA : 0));
        queue.commit();
        return true;
    }

    boolean deallocate(final int nsid, final long lba, final long blocks, final CompletionHandler handler,
        final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        checkRange(namespace, lba, blocks);
        final int ranges = (int)((blocks + DSM_RANGE_MAX_BLOCKS - 1) / DSM_RANGE_MAX_BLOCKS);
        if (ranges > DSM_MAX_RANGES)
        {
            throw new InvalidRequestException("a deallocation of " + blocks + " blocks needs more than 256 ranges");
        }
        if (!queue.usable(handler) || queue.freeCommands() == 0)
        {
            return false;
        }
        final int request = queue.beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        final SubmissionEntry entry = queue.prepareCommand(Opcodes.NVM_DATASET_MANAGEMENT, request);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        long left = blocks;
        long at = lba;
        for (int i = 0; i < ranges; i++)
        {
            final long length = Math.min(left, DSM_RANGE_MAX_BLOCKS);
            putRange(listOffset, i, at, length);
            at += length;
            left -= length;
        }
        finishDeallocate(entry, nsid, ranges, listOffset);
        return true;
    }

    boolean deallocate(final int nsid, final long[] lbas, final long[] blockCounts, final int count,
        final CompletionHandler handler, final long token)
    {
        final NamespaceInfo namespace = namespace(nsid);
        if (lbas == null || blockCounts == null || count < 1 || count > DSM_MAX_RANGES
            || count > lbas.length || count > blockCounts.length)
        {
            throw new InvalidRequestException("Dataset Management takes 1..256 ranges given in two arrays, not "
                + count);
        }
        for (int i = 0; i < count; i++)
        {
            if (blockCounts[i] > DSM_RANGE_MAX_BLOCKS)
            {
                throw new InvalidRequestException("range " + i + " of " + blockCounts[i] + " blocks exceeds 2^32-1");
            }
            checkRange(namespace, lbas[i], blockCounts[i]);
        }
        if (!queue.usable(handler) || queue.freeCommands() == 0)
        {
            return false;
        }
        final int request = queue.beginRequest(handler, token, 1, IovaSpace.NO_IOVA);
        final SubmissionEntry entry = queue.prepareCommand(Opcodes.NVM_DATASET_MANAGEMENT, request);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        for (int i = 0; i < count; i++)
        {
            putRange(listOffset, i, lbas[i], blockCounts[i]);
        }
        finishDeallocate(entry, nsid, count, listOffset);
        return true;
    }

    /** Read or Write of {@code blocks} blocks at {@code iova}: LBA, NLB, flags, and the PRPs in the command's list page. */
    void describeReadWrite(
        final SubmissionEntry entry, final int nsid, final long lba, final int blocks, final int cdw12Flags,
        final long iova, final int bytes)
    {
        entry.namespaceId(nsid).startingLba(lba).cdw(12, (blocks - 1) | cdw12Flags);
        final int listOffset = entry.commandId() * listBytesPerCommand;
        PrpBuilder.describe(entry, iova, bytes, lists, listOffset, prpLists.iova() + listOffset);
    }

    NamespaceInfo namespace(final int nsid)
    {
        if (nsid <= 0 || nsid >= namespaces.length || namespaces[nsid] == null)
        {
            throw new InvalidRequestException("Invalid Namespace: namespace " + nsid + " is not an active namespace");
        }
        return namespaces[nsid];
    }

    /** Blocks per command when each carries at most {@code bytes}. */
    static int partBlocks(final long bytes, final int blockSize)
    {
        return (int)Math.min(MAX_BLOCKS_PER_COMMAND, bytes / blockSize);
    }

    /** Commands a transfer of {@code blocks} needs; more than the queue holds is bad input. */
    int partsFor(final int blocks, final int partBlocks)
    {
        final int parts = (blocks + partBlocks - 1) / partBlocks;
        if (parts > capacity)
        {
            throw new InvalidRequestException("a transfer of " + blocks + " blocks needs " + parts + " commands of at"
                + " most " + partBlocks + " blocks; this queue pair holds " + capacity);
        }
        return parts;
    }

    /** @return the transfer's length in bytes */
    static long checkTransfer(final NamespaceInfo namespace, final long lba, final int blocks)
    {
        checkRange(namespace, lba, blocks);
        final long length = (long)blocks * namespace.blockSize();
        if (length > Integer.MAX_VALUE)
        {
            throw new InvalidRequestException("a transfer of " + length + " bytes exceeds 2 GiB - 1");
        }
        return length;
    }

    private static void checkRange(final NamespaceInfo namespace, final long lba, final long blocks)
    {
        if (blocks < 1)
        {
            throw new InvalidRequestException("block count must be positive, not " + blocks);
        }
        if (lba < 0 || lba > namespace.blocks() - blocks)
        {
            throw new InvalidRequestException("LBA Out of Range: blocks " + lba + ".." + (lba + blocks - 1)
                + " lie past the end of namespace " + namespace.nsid() + " (" + namespace.blocks() + " blocks)");
        }
    }

    private void putRange(final int listOffset, final int index, final long lba, final long blocks)
    {
        final int at = listOffset + index * DSM_RANGE_BYTES;
        lists.putInt(at, 0);
        lists.putInt(at + 4, (int)blocks);
        lists.putLong(at + 8, lba);
    }

    private void finishDeallocate(final SubmissionEntry entry, final int nsid, final int ranges, final int listOffset)
    {
        // The ranges live in the command's own PRP list page: 256 ranges of 16 bytes fill exactly one page.
        entry.namespaceId(nsid)
            .prp1(prpLists.iova() + listOffset)
            .cdw(10, ranges - 1)
            .cdw(11, DSM_DEALLOCATE);
        queue.commit();
    }
}
