package io.nvmeq.examples.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

import io.nvmeq.actors.remote.RemoteNvmeq;

/**
 * A job's load on a remote namespace, as {@link FacadeClient} drives a local one, through {@link RemoteNvmeq}
 * (whose answers arrive on its cluster node's thread).
 */
final class RemoteClient extends StageClient
{
    private final RemoteNvmeq remote;
    private final ByteBuffer[] slices;

    /** @param slices one buffer per slot, the memory of the worker's slot buffers */
    RemoteClient(final RemoteNvmeq remote, final Worker worker, final ByteBuffer[] slices, final CountDownLatch finished)
    {
        super(worker, finished, "nvmeq-bench-remote-rate");
        this.remote = remote;
        this.slices = slices;
    }

    @Override
    protected CompletionStage<Void> send(final int index, final boolean read, final JobSpec spec)
    {
        return read ?
            remote.read(spec.nsid(), worker.lba(index), worker.lbaCount(), slices[index]) :
            remote.write(spec.nsid(), worker.lba(index), worker.lbaCount(), slices[index], spec.fua());
    }
}
