package io.nvmeq.actors;

/**
 * Thrown inside a queue-pair actor to have it restarted by its supervision: the queue pair is broken
 * (polling threw, the controller dropped the queue) or a failure was injected.
 */
final class QueuePairFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    QueuePairFailure(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
