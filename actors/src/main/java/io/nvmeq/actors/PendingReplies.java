package io.nvmeq.actors;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import akka.actor.typed.ActorRef;

/**
 * The facade's requests between sending and answer, by tag, and the gate that makes close() true:
 * a request either passes the gate before close() shuts it (it is then sent, and answered by its
 * queue pair, which drains what it holds before it stops) or finds the gate shut (it is then refused
 * and was never sent). close() shuts the gate and waits for the few senders inside it (a put and a
 * non-blocking tell) before it asks the supervisor to shut down, so no request can be sent after the
 * queue pairs were told to stop.
 */
final class PendingReplies
{
    /** Sign bit of {@link #gate}: closed. The other bits count the senders inside the gate. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final Map<Long, CompletableFuture<Void>> byTag = new ConcurrentHashMap<>();
    private final AtomicLong nextTag = new AtomicLong();
    private final AtomicLong gate = new AtomicLong();

    /**
     * Registers a new request and tells it to {@code target}, unless the gate is shut.
     *
     * @param request builds the request for the tag it is given
     * @return the stage the reply completes, or null if the gate is shut (nothing was registered or sent)
     */
    CompletableFuture<Void> sendIfOpen(final ActorRef<QueuePairCommand> target, final LongFunction<IoRequest> request)
    {
        long current;
        do
        {
            current = gate.get();
            if (current < 0)
            {
                return null;
            }
        }
        while (!gate.compareAndSet(current, current + 1));
        try
        {
            final long tag = nextTag.incrementAndGet();
            final CompletableFuture<Void> future = new CompletableFuture<>();
            byTag.put(tag, future);
            try
            {
                target.tell(request.apply(tag));
            }
            catch (final RuntimeException ex)
            {
                // Nothing was sent: leave nothing behind for close() to wait for.
                byTag.remove(tag);
                throw ex;
            }
            return future;
        }
        finally
        {
            gate.decrementAndGet();
        }
    }

    boolean isClosed()
    {
        return gate.get() < 0;
    }

    /**
     * Shuts the gate and waits until no sender is inside it.
     *
     * @return false if it was shut already
     */
    boolean close()
    {
        final long before = gate.getAndUpdate(current -> current | CLOSED);
        if (before < 0)
        {
            return false;
        }
        while (gate.get() != CLOSED)
        {
            Thread.yield();
        }
        return true;
    }

    /** The future of {@code tag}, removed: whoever removes it answers it. */
    CompletableFuture<Void> remove(final long tag)
    {
        return byTag.remove(tag);
    }

    int size()
    {
        return byTag.size();
    }

    boolean isEmpty()
    {
        return byTag.isEmpty();
    }

    /** Fails every request still unanswered with {@code error} (after close: their outcome is not known). */
    void failAll(final LongFunction<? extends RuntimeException> error)
    {
        for (final Long tag : byTag.keySet())
        {
            final CompletableFuture<Void> future = byTag.remove(tag);
            if (future != null)
            {
                future.completeExceptionally(error.apply(tag));
            }
        }
    }
}
