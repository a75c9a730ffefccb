package io.nvmeq.examples.io;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits on the facade's {@link CompletionStage}s: a command-line program must never hang on a request
 * that is not answered, and a failed request must surface as the library's own typed exception, not wrapped.
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * Wait for {@code stage} for at most {@code timeout}.
     *
     * @param what names the operation for the timeout message, e.g. "Flush of namespace 1"
     * @throws RuntimeException  the exception the stage failed with, unwrapped
     * @throws OperationTimedOutException when the stage did not complete in time (it may still be in flight)
     */
    public static <T> T result(final CompletionStage<T> stage, final Duration timeout, final String what)
    {
        try
        {
            return stage.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException | CompletionException ex)
        {
            throw rethrowable(ex.getCause() == null ? ex : ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new OperationTimedOutException(what + " got no answer within " + timeout.toSeconds() + " s");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new OperationTimedOutException(what + " was interrupted while waiting for its answer");
        }
    }

    /** The cause of a failed stage as something that can be thrown unchanged from code without checked exceptions. */
    static RuntimeException rethrowable(final Throwable failure)
    {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) &&
            cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException)
        {
            return (RuntimeException)cause;
        }
        if (cause instanceof Error)
        {
            throw (Error)cause;
        }
        return new CompletionException(cause.getMessage(), cause);
    }

    /** A bounded wait ran out. The operation it waited for may still complete later. */
    public static final class OperationTimedOutException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        public OperationTimedOutException(final String message)
        {
            super(message);
        }
    }
}
