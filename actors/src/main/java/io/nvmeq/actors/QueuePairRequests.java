package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;

/** The requests of one {@link NvmeqQueue} of a local controller: told to its queue-pair actor through the facade's gate. */
final class QueuePairRequests implements QueueRequests
{
    private final ActorRef<QueuePairCommand> queuePair;
    private final ActorRef<IoReply> router;
    private final PendingReplies pending;

    QueuePairRequests(final ActorRef<QueuePairCommand> queuePair, final ActorRef<IoReply> router,
        final PendingReplies pending)
    {
        this.queuePair = queuePair;
        this.router = router;
        this.pending = pending;
    }

    @Override
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        if (buffer == null)
        {
            return noBuffer();
        }
        return send(tag -> new IoRequest.Read(nsid, lba, blocks, buffer, offset, tag, router));
    }

    @Override
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        if (buffer == null)
        {
            return noBuffer();
        }
        return send(tag -> new IoRequest.Write(nsid, lba, blocks, buffer, offset, fua, tag, router));
    }

    @Override
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        if (buffer == null)
        {
            return noBuffer();
        }
        return send(tag -> new IoRequest.ReadBuffer(nsid, lba, blocks, buffer, tag, router));
    }

    @Override
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        if (buffer == null)
        {
            return noBuffer();
        }
        return send(tag -> new IoRequest.WriteBuffer(nsid, lba, blocks, buffer, fua, tag, router));
    }

    @Override
    public CompletionStage<Void> flush(final int nsid)
    {
        return send(tag -> new IoRequest.Flush(nsid, tag, router));
    }

    @Override
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        return send(tag -> new IoRequest.WriteZeroes(nsid, lba, blocks, deallocate, fua, tag, router));
    }

    @Override
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        return send(tag -> new IoRequest.Deallocate(nsid, lba, blocks, tag, router));
    }

    /** The one request body: registered and sent through the gate, or refused (never both, never neither). */
    private CompletionStage<Void> send(final LongFunction<IoRequest> request)
    {
        final CompletableFuture<Void> future;
        try
        {
            future = pending.sendIfOpen(queuePair, request);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(new InvalidRequestException("request refused before it was sent: " + ex));
        }
        if (future == null)
        {
            return CompletableFuture.failedFuture(
                new InvalidRequestException("nvmeq is closed: the request was refused and nothing was sent"));
        }
        return future;
    }

    private static CompletionStage<Void> noBuffer()
    {
        return CompletableFuture.failedFuture(new InvalidRequestException("no buffer given (null): nothing was sent"));
    }
}
