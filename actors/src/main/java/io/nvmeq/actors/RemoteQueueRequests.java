package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.actors.remote.RemoteUnavailableException;
import io.nvmeq.engine.DmaBuffer;

/**
 * The one queue of a facade over a remote namespace: its session with the server ({@link RemoteNvmeq}),
 * behind the facade's own gate, so that while {@link Nvmeq#close()} waits for the requests sent before
 * it, a request that finds the gate shut is refused and nothing is sent. One that passed the gate just
 * before it shut is sent and answered like the others: by the server, or by the client's close when the
 * wait ends first (see {@link RemoteNvmeq#close()}).
 */
final class RemoteQueueRequests implements QueueRequests
{
    private final RemoteNvmeq remote;
    private final String device;
    private volatile boolean closed;

    /** @param device the URI the facade was opened with, for messages */
    RemoteQueueRequests(final RemoteNvmeq remote, final String device)
    {
        this.remote = remote;
        this.device = device;
    }

    /** Shuts the gate: requests from now on are refused with {@link RemoteUnavailableException}. */
    void close()
    {
        closed = true;
    }

    @Override
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return noDmaBuffers("read");
    }

    @Override
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return noDmaBuffers("write");
    }

    @Override
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        return closed ? refused("read") : remote.read(nsid, lba, blocks, buffer);
    }

    @Override
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        return closed ? refused("write") : remote.write(nsid, lba, blocks, buffer, fua);
    }

    @Override
    public CompletionStage<Void> flush(final int nsid)
    {
        return closed ? refused("flush") : remote.flush(nsid);
    }

    @Override
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        return closed ? refused("write-zeroes") : remote.writeZeroes(nsid, lba, blocks, deallocate, fua);
    }

    @Override
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        return closed ? refused("deallocate") : remote.deallocate(nsid, lba, blocks);
    }

    private CompletionStage<Void> refused(final String what)
    {
        return CompletableFuture.failedFuture(new RemoteUnavailableException("nvmeq on " + device +
            " is closed: the " + what + " was refused and nothing was sent"));
    }

    /**
     * A DmaBuffer is memory mapped for one local controller; the remote facade hands out none, and one of a
     * local facade is refused as another controller's is.
     */
    private CompletionStage<Void> noDmaBuffers(final String what)
    {
        return CompletableFuture.failedFuture(new LocalOnlyException(RemoteBackend.servedElsewhere(device) + ": a " + what +
            " with a DmaBuffer needs a controller attached to this JVM, nothing was sent; pass a ByteBuffer " +
            "(direct or heap) instead"));
    }
}
