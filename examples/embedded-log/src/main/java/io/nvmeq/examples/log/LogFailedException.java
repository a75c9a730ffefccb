package io.nvmeq.examples.log;

/** An append that was not acknowledged: it, or one before it, failed. */
final class LogFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    LogFailedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
