package io.nvmeq.examples.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.DmaBuffer;

/**
 * The actor path driven from outside, as a non-actor application would: requests through the {@link Nvmeq}
 * facade's CompletionStages (answered on the facade's reply router thread); the facade allocates a future per
 * request.
 */
final class FacadeClient extends StageClient
{
    private final Nvmeq nvmeq;
    private final int queue;
    private final DmaBuffer buffer;

    FacadeClient(final Nvmeq nvmeq, final int queue, final Worker worker, final DmaBuffer buffer,
        final CountDownLatch finished)
    {
        super(worker, finished, "nvmeq-bench-rate-" + queue);
        this.nvmeq = nvmeq;
        this.queue = queue;
        this.buffer = buffer;
    }

    @Override
    protected CompletionStage<Void> send(final int index, final boolean read, final JobSpec spec)
    {
        return read ?
            nvmeq.queue(queue).read(spec.nsid(), worker.lba(index), worker.lbaCount(), buffer, index * spec.bs()) :
            nvmeq.queue(queue).write(spec.nsid(), worker.lba(index), worker.lbaCount(), buffer, index * spec.bs(),
                spec.fua());
    }
}
