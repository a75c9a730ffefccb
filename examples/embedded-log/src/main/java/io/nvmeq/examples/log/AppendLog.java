package io.nvmeq.examples.log;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An append-only log of byte records on a {@link BlockDevice}. {@link #append} writes a record durably (one
 * FUA write on nvmeq) and acknowledges it only when it and every record before it are durable, so that
 * recovery, which scans from the start and stops at the first record that is not intact, finds every
 * acknowledged record after a crash. Appends may be in flight together (up to the device's limit); their
 * acknowledgements come in sequence order.
 *
 * <p>{@link #open} recovers: it reads the superblock (writing one to an empty device) and scans the records
 * to find the end. Not for use by several processes at once. Thread-safe.
 */
final class AppendLog implements AutoCloseable
{
    /** A record's payload is at most this long (it is one write of at most maxRecordBlocks blocks). */
    final int maxPayload;

    private final BlockDevice device;
    private final long logId;
    private final long recovered;
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextSequence;
    private long nextLba;
    private long nextToAcknowledge;
    private Throwable failure;

    /** An append in flight: acknowledged once it and every earlier one are durable. */
    private static final class Pending
    {
        final CompletableFuture<Long> acknowledged = new CompletableFuture<>();
        boolean durable;
        Throwable error;
        long sequence;
        Throwable earlierFailure;
    }

    /** The log as a visitor sees it during a scan. */
    @FunctionalInterface
    interface RecordVisitor
    {
        void record(long sequence, byte[] payload);
    }

    private AppendLog(final BlockDevice device, final int maxRecordBlocks, final long logId, final long records,
        final long endLba)
    {
        this.device = device;
        this.maxPayload = maxRecordBlocks * device.blockSize() - RecordFormat.HEADER_BYTES;
        this.logId = logId;
        this.recovered = records;
        this.nextSequence = records;
        this.nextToAcknowledge = records;
        this.nextLba = endLba;
    }

    /**
     * Opens the log on {@code device}: formats an empty device, else recovers the records written before.
     *
     * @param maxRecordBlocks the most blocks one record may take (bounds the payload and each write)
     */
    static AppendLog open(final BlockDevice device, final int maxRecordBlocks)
    {
        final byte[] block = new byte[device.blockSize()];
        device.read(0, block, 1);
        long logId = RecordFormat.decodeSuperblock(block, device.blockSize());
        if (logId == 0)
        {
            logId = new SecureRandom().nextLong() | 1;
            RecordFormat.encodeSuperblock(block, logId, device.blockSize());
            device.writeDurable(0, block, 1).join();
            return new AppendLog(device, maxRecordBlocks, logId, 0, 1);
        }
        final long[] end = scan(device, maxRecordBlocks, logId, null);
        return new AppendLog(device, maxRecordBlocks, logId, end[0], end[1]);
    }

    /** Reads every record from the start, in order, to {@code visitor}; the log may be appended to meanwhile. */
    void forEach(final RecordVisitor visitor)
    {
        scan(device, (maxPayload + RecordFormat.HEADER_BYTES) / device.blockSize(), logId, visitor);
    }

    /** {records, the block after the last one}: scans until a record is not intact. */
    private static long[] scan(final BlockDevice device, final int maxRecordBlocks, final long logId,
        final RecordVisitor visitor)
    {
        final int blockSize = device.blockSize();
        final int maxPayload = maxRecordBlocks * blockSize - RecordFormat.HEADER_BYTES;
        final byte[] record = new byte[maxRecordBlocks * blockSize];
        final byte[] first = new byte[blockSize];
        long sequence = 0;
        long lba = 1;
        while (lba < device.blocks())
        {
            device.read(lba, first, 1);
            final int length = RecordFormat.payloadLength(first, maxPayload);
            if (length < 0)
            {
                break;
            }
            final int blocks = RecordFormat.blocksFor(length, blockSize);
            if (lba + blocks > device.blocks())
            {
                break;
            }
            System.arraycopy(first, 0, record, 0, blockSize);
            if (blocks > 1)
            {
                final byte[] rest = new byte[(blocks - 1) * blockSize];
                device.read(lba + 1, rest, blocks - 1);
                System.arraycopy(rest, 0, record, blockSize, rest.length);
            }
            if (!RecordFormat.isRecord(record, sequence, logId, length))
            {
                break;
            }
            if (visitor != null)
            {
                final byte[] payload = new byte[length];
                System.arraycopy(record, RecordFormat.HEADER_BYTES, payload, 0, length);
                visitor.record(sequence, payload);
            }
            sequence++;
            lba += blocks;
        }
        return new long[] {sequence, lba};
    }

    /** Records found by recovery when the log was opened. */
    long recovered()
    {
        return recovered;
    }

    /** Records appended or recovered so far, acknowledged or not. */
    synchronized long size()
    {
        return nextSequence;
    }

    /**
     * Appends {@code payload} as the next record. The future completes with the record's sequence number once
     * the record and all before it are durable, or exceptionally ({@link LogFailedException}) if this or an
     * earlier append failed: after a failed append the log takes no more. Blocks while the device has its
     * maximum of writes in flight, so it must not be called from a completion callback.
     *
     * @throws IllegalArgumentException if the payload is longer than {@link #maxPayload}
     * @throws LogFullException         if the record does not fit on the device
     */
    CompletableFuture<Long> append(final byte[] payload)
    {
        if (payload.length > maxPayload)
        {
            throw new IllegalArgumentException("a record holds at most " + maxPayload + " bytes, not " + payload.length);
        }
        final int blocks = RecordFormat.blocksFor(payload.length, device.blockSize());
        final byte[] encoded = new byte[blocks * device.blockSize()];
        final long sequence;
        final long lba;
        final Pending append = new Pending();
        synchronized (this)
        {
            if (failure != null)
            {
                return CompletableFuture.failedFuture(new LogFailedException(
                    "the log takes no more appends after a failed one", failure));
            }
            if (nextLba + blocks > device.blocks())
            {
                throw new LogFullException("the log is full: " + nextSequence + " records in " + nextLba + " of " +
                    device.blocks() + " blocks");
            }
            sequence = nextSequence++;
            lba = nextLba;
            nextLba += blocks;
            pending.put(sequence, append);
        }
        RecordFormat.encodeRecord(encoded, sequence, logId, payload);
        final CompletableFuture<Void> write;
        try
        {
            write = device.writeDurable(lba, encoded, blocks);
        }
        catch (final RuntimeException ex)
        {
            written(sequence, ex);
            return append.acknowledged;
        }
        write.whenComplete((ignored, error) -> written(sequence, error));
        return append.acknowledged;
    }

    /** A write finished: acknowledge, in sequence order, everything that is now durable up to a gap. */
    private void written(final long sequence, final Throwable error)
    {
        final List<Pending> acknowledge = new ArrayList<>();
        synchronized (this)
        {
            final Pending done = pending.get(sequence);
            done.durable = true;
            done.error = error;
            Pending next;
            while ((next = pending.get(nextToAcknowledge)) != null && next.durable)
            {
                pending.remove(nextToAcknowledge);
                next.sequence = nextToAcknowledge++;
                next.earlierFailure = failure;
                if (next.error != null && failure == null)
                {
                    failure = next.error;
                }
                acknowledge.add(next);
            }
        }
        // Completed outside the lock: the callers' callbacks run here.
        for (final Pending p : acknowledge)
        {
            if (p.error != null)
            {
                p.acknowledged.completeExceptionally(new LogFailedException("append of record " + p.sequence +
                    " failed; whether it is recovered after a restart depends on whether the device wrote it", p.error));
            }
            else if (p.earlierFailure != null)
            {
                p.acknowledged.completeExceptionally(new LogFailedException("record " + p.sequence +
                    " was written after a record whose append failed: recovery stops at that record, so this one" +
                    " is recovered only if the failed one turns out to have been written", p.earlierFailure));
            }
            else
            {
                p.acknowledged.complete(p.sequence);
            }
        }
    }

    @Override
    public void close()
    {
        device.close();
    }
}
