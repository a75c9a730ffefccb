package io.nvmeq.actors;

import java.nio.ByteBuffer;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.spec.Opcodes;

/**
 * The one request an {@link NvmeqThreadQueue}'s owner is submitting, as reusable fields (a flyweight of
 * the call's arguments), so that a call allocates nothing and a submission that must wait for room is
 * retried as it was. Owner thread only.
 */
final class ThreadQueueRequest
{
    static final int READ = 0;
    static final int WRITE = 1;
    static final int READ_BYTES = 2;
    static final int WRITE_BYTES = 3;
    static final int FLUSH = 4;
    static final int WRITE_ZEROES = 5;
    static final int DEALLOCATE = 6;

    private int kind;
    private int nsid;
    private long lba;
    private long blocks;
    private DmaBuffer dmaBuffer;
    private int offset;
    private ByteBuffer byteBuffer;
    private boolean fua;
    private boolean deallocate;

    /** A request that moves no data (flush, write zeroes, deallocate). */
    ThreadQueueRequest set(final int kind, final int nsid, final long lba, final long blocks)
    {
        this.kind = kind;
        this.nsid = nsid;
        this.lba = lba;
        this.blocks = blocks;
        return this;
    }

    ThreadQueueRequest flags(final boolean fua, final boolean deallocate)
    {
        this.fua = fua;
        this.deallocate = deallocate;
        return this;
    }

    ThreadQueueRequest dma(final int kind, final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        set(kind, nsid, lba, blocks);
        this.dmaBuffer = requireBuffer(buffer);
        this.offset = offset;
        this.fua = fua;
        return this;
    }

    ThreadQueueRequest bytes(final int kind, final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        set(kind, nsid, lba, blocks);
        this.byteBuffer = requireBuffer(buffer);
        this.fua = fua;
        return this;
    }

    /** The opcode the request's errors are typed with. */
    int opcode()
    {
        return switch (kind)
        {
            case READ, READ_BYTES -> Opcodes.NVM_READ;
            case WRITE, WRITE_BYTES -> Opcodes.NVM_WRITE;
            case FLUSH -> Opcodes.NVM_FLUSH;
            case WRITE_ZEROES -> Opcodes.NVM_WRITE_ZEROES;
            default -> Opcodes.NVM_DATASET_MANAGEMENT;
        };
    }

    /** @return false if the queue has no room now or a reset is under way: nothing was submitted */
    boolean submitTo(final QueuePair queuePair, final CompletionHandler<Object> handler, final Object attachment)
    {
        return switch (kind)
        {
            case READ -> queuePair.submitRead(nsid, lba, (int)blocks, dmaBuffer, offset, handler, 0, attachment);
            case WRITE -> queuePair.submitWrite(nsid, lba, (int)blocks, dmaBuffer, offset, fua, handler, 0, attachment);
            case READ_BYTES -> queuePair.submitRead(nsid, lba, (int)blocks, byteBuffer, handler, 0, attachment);
            case WRITE_BYTES -> queuePair.submitWrite(nsid, lba, (int)blocks, byteBuffer, fua, handler, 0, attachment);
            case FLUSH -> queuePair.submitFlush(nsid, handler, 0, attachment);
            case WRITE_ZEROES ->
                queuePair.submitWriteZeroes(nsid, lba, (int)blocks, deallocate, fua, handler, 0, attachment);
            default -> queuePair.submitDeallocate(nsid, lba, blocks, handler, 0, attachment);
        };
    }

    /** The queue pair holds what it needs: the thread queue must not keep a caller's buffer alive. */
    void clearBuffers()
    {
        dmaBuffer = null;
        byteBuffer = null;
    }

    private static <B> B requireBuffer(final B buffer)
    {
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given (null): nothing was sent");
        }
        return buffer;
    }
}
