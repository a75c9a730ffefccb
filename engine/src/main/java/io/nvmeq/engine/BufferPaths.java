package io.nvmeq.engine;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * How the data of one transfer reaches the device, for one queue pair (QEMU's nvme.c does the same
 * choice per request): {@link DmaBuffer}s and registered memory zero-copy at their fixed IOVA; other
 * direct memory through a temporary IOVA mapping held for the request; heap memory, a start that is not
 * dword-aligned (PRP1's rule), or no temporary IOVA left: through this queue's bounce buffers, copied
 * back when a read completes. Confined to the queue pair's owner thread; the temporary mappings go
 * through this queue pair's own leases ({@link TemporaryMappings}), without a lock.
 */
final class BufferPaths
{
    private static final int NONE = -1;

    private final QueuePair queue;
    private final NamespaceCommands commands;
    private final IovaSpace iovaSpace;
    /** This queue pair's own leases of temporary IOVAs: mapped and released without a lock. */
    private final TemporaryMappings temporaryMappings;
    private final BouncePool bounce;
    private final IoCounters counters;
    private final long maxTransferBytes;

    // Per command id: the bounce buffer it holds, and where a bounced read goes when it completes.
    private final int[] bounceSlot;
    private final ByteBuffer[] copyTarget;
    private final int[] copyIndex;
    private final int[] copyLength;

    BufferPaths(final QueuePair queue, final NamespaceCommands commands, final IovaSpace iovaSpace,
        final BouncePool bounce, final IoCounters counters, final long maxTransferBytes)
    {
        this.queue = queue;
        this.commands = commands;
        this.iovaSpace = iovaSpace;
        this.temporaryMappings = iovaSpace.temporaryMappingsFor(queue.id());
        this.bounce = bounce;
        this.counters = counters;
        this.maxTransferBytes = maxTransferBytes;
        final int capacity = queue.capacity();
        this.bounceSlot = new int[capacity];
        this.copyTarget = new ByteBuffer[capacity];
        this.copyIndex = new int[capacity];
        this.copyLength = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            bounceSlot[i] = NONE;
        }
    }

    boolean submitDmaBuffer(
        final int opcode, final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final int cdw12Flags, final CompletionHandler<?> handler, final long token, final Object attachment)
    {
        final NamespaceInfo namespace = commands.namespace(nsid);
        final long length = NamespaceCommands.checkTransfer(namespace, lba, blocks);
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given for a transfer of " + length + " bytes");
        }
        if (offset < 0 || offset > buffer.capacity() - length)
        {
            throw new InvalidRequestException("buffer of " + buffer.capacity() + " bytes from offset " + offset
                + " is smaller than the transfer of " + length + " bytes");
        }
        if ((offset & 3) != 0)
        {
            throw new InvalidRequestException("buffer offset " + offset + " is not dword-aligned, as PRP1 must be");
        }
        if (!queue.usable(handler))
        {
            return false;
        }
        final int partBlocks = NamespaceCommands.partBlocks(maxTransferBytes, namespace.blockSize());
        final int parts = commands.partsFor(blocks, partBlocks);
        if (queue.freeCommands() < parts)
        {
            return false;
        }
        // Refused (typed) if closed, closing or another controller's; held until the request is answered.
        final DmaBuffer pinned = buffer.acquire(iovaSpace);
        counters.zeroCopy.increment();
        queue.holdBuffer(submitParts(opcode, nsid, lba, blocks, namespace.blockSize(), partBlocks, parts,
            buffer.iova() + offset, cdw12Flags, handler, token, attachment, IovaSpace.NO_IOVA), pinned);
        return true;
    }

    boolean submitByteBuffer(
        final int opcode, final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final int cdw12Flags, final CompletionHandler<?> handler, final long token, final Object attachment)
    {
        final NamespaceInfo namespace = commands.namespace(nsid);
        final long length = NamespaceCommands.checkTransfer(namespace, lba, blocks);
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given for a transfer of " + length + " bytes");
        }
        if (buffer.remaining() < length)
        {
            throw new InvalidRequestException("buffer has " + buffer.remaining() + " bytes remaining, fewer than the "
                + "transfer of " + length + " bytes");
        }
        if (!queue.usable(handler))
        {
            return false;
        }
        final int blockSize = namespace.blockSize();
        if (buffer.isDirect())
        {
            final long address = BufferUtil.address(buffer) + buffer.position();
            if ((address & 3) == 0)
            {
                final int partBlocks = NamespaceCommands.partBlocks(maxTransferBytes, blockSize);
                final int parts = commands.partsFor(blocks, partBlocks);
                if (queue.freeCommands() < parts)
                {
                    return false;
                }
                final MappedMemory registered = iovaSpace.registeredOwner(address, length);
                if (registered != null)
                {
                    // Held like a DmaBuffer until the request is answered; refused (typed) if it is closing.
                    registered.acquireFor(iovaSpace);
                    counters.zeroCopy.increment();
                    queue.holdBuffer(submitParts(opcode, nsid, lba, blocks, blockSize, partBlocks, parts,
                        registered.iovaAt(address), cdw12Flags, handler, token, attachment, IovaSpace.NO_IOVA),
                        registered);
                    return true;
                }
                final long temporary = temporaryMappings.map(buffer, address, length);
                if (temporary != IovaSpace.NO_IOVA)
                {
                    counters.temporary.increment();
                    submitParts(opcode, nsid, lba, blocks, blockSize, partBlocks, parts, temporary, cdw12Flags,
                        handler, token, attachment, temporary);
                    return true;
                }
                counters.temporaryExhausted.increment();
            }
            else
            {
                counters.unaligned.increment();
            }
        }
        return submitBounced(opcode, nsid, lba, blocks, blockSize, buffer, cdw12Flags, handler, token, attachment);
    }

    /** A request's temporary mapping is no longer used by the device. */
    void releaseTemporary(final long temporaryIova)
    {
        temporaryMappings.release(temporaryIova);
    }

    /** A command is done: a bounced read is copied to its buffer (on success), its bounce buffer freed. */
    void commandDone(final int commandId, final int status)
    {
        final int slot = bounceSlot[commandId];
        if (slot == NONE)
        {
            return;
        }
        final ByteBuffer target = copyTarget[commandId];
        if (target != null)
        {
            if (Status.isSuccess(status))
            {
                bounce.memory().getBytes(bounce.offset(slot), target, copyIndex[commandId], copyLength[commandId]);
            }
            copyTarget[commandId] = null;
        }
        bounce.release(slot);
        bounceSlot[commandId] = NONE;
    }

    void release()
    {
        iovaSpace.temporaryMappingsGone();
        if (bounce != null)
        {
            bounce.close();
        }
    }

    private boolean submitBounced(
        final int opcode, final int nsid, final long lba, final int blocks, final int blockSize, final ByteBuffer buffer,
        final int cdw12Flags, final CompletionHandler<?> handler, final long token, final Object attachment)
    {
        if (bounce == null || bounce.slotBytes() < blockSize)
        {
            throw new InvalidRequestException("this buffer needs bouncing (heap memory, a start that is not "
                + "dword-aligned, or no temporary IOVA left) and this queue pair has no bounce buffers of "
                + blockSize + " bytes or more");
        }
        final int partBlocks = NamespaceCommands.partBlocks(Math.min(maxTransferBytes, bounce.slotBytes()), blockSize);
        final int parts = commands.partsFor(blocks, partBlocks);
        if (parts > bounce.slots())
        {
            throw new InvalidRequestException("a bounced transfer of " + blocks + " blocks needs " + parts
                + " bounce buffers; this queue pair has " + bounce.slots());
        }
        if (queue.freeCommands() < parts || bounce.available() < parts)
        {
            return false;
        }
        counters.bounced.increment();
        final boolean read = opcode == Opcodes.NVM_READ;
        final int request = queue.beginRequest(handler, token, attachment, parts, IovaSpace.NO_IOVA);
        if (parts > 1)
        {
            counters.split.increment();
        }
        int index = buffer.position();
        int done = 0;
        for (int part = 0; part < parts; part++)
        {
            final int partCount = Math.min(partBlocks, blocks - done);
            final int bytes = partCount * blockSize;
            final int slot = bounce.acquire();
            if (!read)
            {
                bounce.memory().putBytes(bounce.offset(slot), buffer, index, bytes);
            }
            final SubmissionEntry entry = queue.prepareCommand(opcode, request);
            final int commandId = entry.commandId();
            bounceSlot[commandId] = slot;
            if (read)
            {
                copyTarget[commandId] = buffer;
                copyIndex[commandId] = index;
                copyLength[commandId] = bytes;
            }
            commands.describeReadWrite(entry, nsid, lba + done, partCount, cdw12Flags, bounce.iova(slot), bytes);
            queue.commit();
            index += bytes;
            done += partCount;
        }
        return true;
    }

    /** @return the request */
    private int submitParts(
        final int opcode, final int nsid, final long lba, final int blocks, final int blockSize, final int partBlocks,
        final int parts, final long iova, final int cdw12Flags, final CompletionHandler<?> handler, final long token,
        final Object attachment, final long temporaryIova)
    {
        final int request = queue.beginRequest(handler, token, attachment, parts, temporaryIova);
        if (parts > 1)
        {
            counters.split.increment();
        }
        int done = 0;
        for (int part = 0; part < parts; part++)
        {
            final int partCount = Math.min(partBlocks, blocks - done);
            final SubmissionEntry entry = queue.prepareCommand(opcode, request);
            commands.describeReadWrite(entry, nsid, lba + done, partCount, cdw12Flags, iova + (long)done * blockSize,
                partCount * blockSize);
            queue.commit();
            done += partCount;
        }
        return request;
    }
}
