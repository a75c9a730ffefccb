package io.nvmeq.actors;

/**
 * Thrown inside a queue-pair actor to have it restarted by its supervision: the queue pair is broken
 * (polling threw, the controller dropped the queue) or a failure was injected.
 */
final class QueuePairFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final boolean injected;

    QueuePairFailure(final String message, final Throwable cause)
    {
        this(message, cause, false);
    }

    QueuePairFailure(final String message, final Throwable cause, final boolean injected)
    {
        super(message, cause);
        this.injected = injected;
    }

    /** Asked for by a {@link QueuePairCommand.Crash}: logged at INFO rather than as a problem. */
    boolean injected()
    {
        return injected;
    }
}
