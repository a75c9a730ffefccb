package io.nvmeq.actors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.nvmeq.engine.HostStatus;
import io.nvmeq.engine.NvmeException;

/**
 * The stage of an {@link NvmeqThreadQueue} request. Its completion is reaped by the queue's owner
 * thread, so a wait on that thread polls the queue instead of parking: {@code join()} and {@code get()}
 * cost a few polls, not a park and an unpark. Stages derived from it ({@code thenApply} ...) are of this
 * kind too, so waiting on them polls as well; on any other thread they wait as usual.
 */
final class OwnerPolledFuture<T> extends CompletableFuture<T>
{
    private final NvmeqThreadQueue queue;
    /** The command's opcode, to type its error; -1 for a derived stage. */
    private final int opcode;

    OwnerPolledFuture(final NvmeqThreadQueue queue, final int opcode)
    {
        this.queue = queue;
        this.opcode = opcode;
    }

    /** From the queue pair's completion handler: the device's status, success or the typed error. */
    void answer(final int status)
    {
        final NvmeException error = HostStatus.exceptionFor(opcode, false, status);
        if (error == null)
        {
            complete(null);
        }
        else
        {
            completeExceptionally(error);
        }
    }

    @Override
    public T join()
    {
        queue.pollUntilDone(this, 0);
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException
    {
        queue.pollUntilDone(this, 0);
        return super.get();
    }

    @Override
    public T get(final long timeout, final TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        queue.pollUntilDone(this, deadline);
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture()
    {
        return new OwnerPolledFuture<>(queue, -1);
    }
}
