package io.nvmeq.actors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one blocking wait of a queue pair: for its queues' deletion while it stops (a close path, not a duty cycle). */
final class QueueDeletions
{
    private QueueDeletions()
    {
    }

    /**
     * Waits for {@code deletion} of queue pair {@code queueId}'s SQ or CQ, bounded by twice the admin timeout
     * and a second (the admin queue's own deadline answers first).
     *
     * @throws ControllerUnavailableException if no answer comes in time, or the wait is interrupted
     */
    static void await(final CompletableFuture<Void> deletion, final Duration adminTimeout, final int queueId)
    {
        final long bound = adminTimeout.toNanos() * 2 + TimeUnit.SECONDS.toNanos(1);
        try
        {
            deletion.get(bound, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new ControllerUnavailableException("queue pair " + queueId + ": no answer to deleting its queues", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ControllerUnavailableException("queue pair " + queueId + ": interrupted deleting its queues", ex);
        }
    }
}
