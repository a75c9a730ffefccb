package io.nvmeq.hw.emu;

import java.io.UncheckedIOException;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The NVM command set (NVM command set spec 1.0 §3): Read, Write (with FUA), Flush, Write Zeroes and
 * Dataset Management (deallocate). Stateless apart from the controller it serves, so every I/O
 * submission queue uses the same instance concurrently; per-command state lives in the queue's
 * {@link CommandContext}. Nothing here allocates on success.
 */
final class NvmCommands implements CommandSet
{
    private static final Logger LOG = LoggerFactory.getLogger(NvmCommands.class);
    private static final int NSID_ALL = 0xFFFF_FFFF;
    /** Dataset Management CDW11 bit 2: Attribute - Deallocate. */
    private static final int DSM_DEALLOCATE = 1 << 2;
    private static final int DSM_RANGE_SIZE = 16;
    /**
     * What a Flush or FUA write answers when the data could not be made durable: Write Fault (media
     * error 80h, base spec 2.0 §4.6.1.2.3 "Media and Data Integrity Errors") with Do Not Retry. A retry
     * would lie: after a failed fsync the kernel may have dropped the pages it could not write, and the
     * next fsync succeeds without them.
     */
    private static final int NOT_DURABLE = Status.withDnr(Status.WRITE_FAULT);
    /** From {@link #readOptimistically}: no status yet, read under the block locks. Not a status value. */
    private static final int RETRY_LOCKED = -1;

    private final EmulatedController controller;
    private final EmulatorCounters counters;

    NvmCommands(final EmulatedController controller)
    {
        this.controller = controller;
        this.counters = controller.counters();
    }

    @Override
    public int execute(final CommandContext context)
    {
        final SubmissionEntry entry = context.entry;
        // Fused operations and SGLs (PSDT != 0) are not supported (Identify FUSES = 0, SGLS = 0).
        if (entry.flags() != 0)
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        switch (entry.opcode())
        {
            case Opcodes.NVM_READ:
                context.io.read();
                return readWrite(context, false);
            case Opcodes.NVM_WRITE:
                context.io.write();
                return readWrite(context, true);
            case Opcodes.NVM_FLUSH:
                counters.flushes.incrementAndGet();
                return flush(entry.namespaceId());
            case Opcodes.NVM_WRITE_ZEROES:
                counters.writeZeroes.incrementAndGet();
                return writeZeroes(entry);
            case Opcodes.NVM_DATASET_MANAGEMENT:
                counters.datasetManagement.incrementAndGet();
                return datasetManagement(context);
            default:
                return Status.withDnr(Status.INVALID_OPCODE);
        }
    }

    /** Read (§3.2.4) and Write (§3.2.6). */
    private int readWrite(final CommandContext context, final boolean write)
    {
        final SubmissionEntry entry = context.entry;
        final Namespace namespace = controller.namespace(entry.namespaceId());
        if (namespace == null)
        {
            return Status.withDnr(Status.INVALID_NAMESPACE);
        }
        final long slba = entry.startingLba();
        final int blocks = entry.blockCount();
        final long bytes = (long)blocks << namespace.blockShift;
        if (bytes > controller.maxTransferBytes())
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        if (!namespace.contains(slba, blocks))
        {
            return Status.withDnr(Status.LBA_OUT_OF_RANGE);
        }
        final PrpList prps = context.prps;
        final int status = prps.resolve(entry.prp1(), entry.prp2(), bytes);
        if (status != Status.SUCCESS)
        {
            return status;
        }
        final long offset = namespace.offsetOf(slba);
        // A null namespace keeps no data: no reader can see a block half-written, so no block locks.
        final boolean atomic = !(namespace.store instanceof NullStore);
        if (!write && atomic)
        {
            final int unlocked = readOptimistically(namespace, slba, blocks, offset, bytes, context);
            if (unlocked != RETRY_LOCKED)
            {
                return unlocked;
            }
        }
        if (atomic)
        {
            lock(namespace.locks, write, slba, blocks);
        }
        try
        {
            if (write)
            {
                if (!prps.hostToStore(namespace.store, offset))
                {
                    return Status.withDnr(Status.DATA_TRANSFER_ERROR);
                }
                context.io.bytesWritten(bytes);
            }
            else
            {
                if (!prps.storeToHost(namespace.store, offset))
                {
                    return Status.withDnr(Status.DATA_TRANSFER_ERROR);
                }
                context.io.bytesRead(bytes);
            }
        }
        catch (final UncheckedIOException ex)
        {
            LOG.error("namespace {} {} at LBA {} failed", namespace.nsid, write ? "write" : "read", slba, ex);
            return write ? Status.WRITE_FAULT : Status.UNRECOVERED_READ_ERROR;
        }
        finally
        {
            if (atomic)
            {
                unlock(namespace.locks, write, slba, blocks);
            }
        }
        // FUA (or no volatile write cache): durable before the completion. A file store forces its data.
        if (write && ((entry.cdw(12) & Opcodes.RW_FUA) != 0 || !controller.writeCacheEnabled()))
        {
            try
            {
                namespace.store.flush();
            }
            catch (final UncheckedIOException ex)
            {
                LOG.error("namespace {} FUA write at LBA {} could not be made durable", namespace.nsid, slba, ex);
                return NOT_DURABLE;
            }
        }
        return Status.SUCCESS;
    }

    /**
     * A Read without taking its block locks: the data is copied, then the locks' stamp says whether a
     * write overlapped the copy; only then is it read again under the locks ({@link #RETRY_LOCKED}). The
     * host sees nothing of a discarded copy: its buffer is its own until the completion is posted.
     */
    private int readOptimistically(
        final Namespace namespace, final long slba, final int blocks, final long offset, final long bytes,
        final CommandContext context)
    {
        final PrpList prps = context.prps;
        final long stamp = namespace.locks.tryOptimisticRead(slba, blocks);
        if (stamp == 0)
        {
            return RETRY_LOCKED;
        }
        try
        {
            if (!prps.storeToHost(namespace.store, offset))
            {
                return Status.withDnr(Status.DATA_TRANSFER_ERROR);
            }
        }
        catch (final UncheckedIOException ex)
        {
            if (!namespace.locks.validate(slba, stamp))
            {
                return RETRY_LOCKED; // a write overlapped: the locked read decides what the host is told
            }
            LOG.error("namespace {} read at LBA {} failed", namespace.nsid, slba, ex);
            return Status.UNRECOVERED_READ_ERROR;
        }
        if (!namespace.locks.validate(slba, stamp))
        {
            return RETRY_LOCKED;
        }
        context.io.bytesRead(bytes);
        return Status.SUCCESS;
    }

    private static void lock(final BlockLocks locks, final boolean write, final long slba, final int blocks)
    {
        if (write)
        {
            locks.lockWrite(slba, blocks);
        }
        else
        {
            locks.lockRead(slba, blocks);
        }
    }

    private static void unlock(final BlockLocks locks, final boolean write, final long slba, final int blocks)
    {
        if (write)
        {
            locks.unlockWrite(slba, blocks);
        }
        else
        {
            locks.unlockRead(slba, blocks);
        }
    }

    /** Flush (§3.2.2 of the base spec's NVM I/O commands); NSID FFFFFFFFh flushes every namespace. */
    private int flush(final int nsid)
    {
        try
        {
            if (nsid == NSID_ALL)
            {
                controller.flushAll();
                return Status.SUCCESS;
            }
            final Namespace namespace = controller.namespace(nsid);
            if (namespace == null)
            {
                return Status.withDnr(Status.INVALID_NAMESPACE);
            }
            namespace.store.flush();
            return Status.SUCCESS;
        }
        catch (final UncheckedIOException ex)
        {
            LOG.error("flush of namespace {} failed", nsid, ex);
            return NOT_DURABLE;
        }
    }

    /** Write Zeroes (§3.2.8): no data transfer, so MDTS does not apply. */
    private int writeZeroes(final SubmissionEntry entry)
    {
        final Namespace namespace = controller.namespace(entry.namespaceId());
        if (namespace == null)
        {
            return Status.withDnr(Status.INVALID_NAMESPACE);
        }
        final long slba = entry.startingLba();
        final int blocks = entry.blockCount();
        if (!namespace.contains(slba, blocks))
        {
            return Status.withDnr(Status.LBA_OUT_OF_RANGE);
        }
        try
        {
            namespace.locks.lockWrite(slba, blocks);
            try
            {
                namespace.store.writeZeroes(namespace.offsetOf(slba), (long)blocks << namespace.blockShift);
            }
            finally
            {
                namespace.locks.unlockWrite(slba, blocks);
            }
            if ((entry.cdw(12) & Opcodes.RW_FUA) != 0 || !controller.writeCacheEnabled())
            {
                namespace.store.flush();
            }
        }
        catch (final UncheckedIOException ex)
        {
            LOG.error("write zeroes on namespace {} at LBA {} failed", namespace.nsid, slba, ex);
            return Status.WRITE_FAULT;
        }
        return Status.SUCCESS;
    }

    /**
     * Dataset Management (§3.2.3): up to 256 ranges of 16 bytes (context attributes, one-based length,
     * starting LBA). Deallocated blocks read as zeroes (DLFEAT); without the Deallocate attribute the
     * command is advisory and changes nothing. All ranges are checked before any is deallocated.
     */
    private int datasetManagement(final CommandContext context)
    {
        final SubmissionEntry entry = context.entry;
        final Namespace namespace = controller.namespace(entry.namespaceId());
        if (namespace == null)
        {
            return Status.withDnr(Status.INVALID_NAMESPACE);
        }
        final int ranges = (entry.cdw(10) & 0xFF) + 1;
        final PrpList prps = context.prps;
        final int status = prps.resolve(entry.prp1(), entry.prp2(), (long)ranges * DSM_RANGE_SIZE);
        if (status != Status.SUCCESS)
        {
            return status;
        }
        final UnsafeBuffer data = context.scratch;
        if (!prps.fromHost(data.addressOffset()))
        {
            return Status.withDnr(Status.DATA_TRANSFER_ERROR);
        }
        if ((entry.cdw(11) & DSM_DEALLOCATE) == 0)
        {
            return Status.SUCCESS;
        }
        for (int i = 0; i < ranges; i++)
        {
            final long length = data.getInt(i * DSM_RANGE_SIZE + 4) & 0xFFFF_FFFFL;
            final long slba = data.getLong(i * DSM_RANGE_SIZE + 8);
            if (!namespace.contains(slba, length))
            {
                return Status.withDnr(Status.LBA_OUT_OF_RANGE);
            }
        }
        try
        {
            for (int i = 0; i < ranges; i++)
            {
                final long length = data.getInt(i * DSM_RANGE_SIZE + 4) & 0xFFFF_FFFFL;
                final long slba = data.getLong(i * DSM_RANGE_SIZE + 8);
                namespace.locks.lockWrite(slba, length);
                try
                {
                    namespace.store.writeZeroes(namespace.offsetOf(slba), length << namespace.blockShift);
                }
                finally
                {
                    namespace.locks.unlockWrite(slba, length);
                }
            }
        }
        catch (final UncheckedIOException ex)
        {
            LOG.error("deallocate on namespace {} failed", namespace.nsid, ex);
            return Status.INTERNAL_ERROR;
        }
        return Status.SUCCESS;
    }
}
