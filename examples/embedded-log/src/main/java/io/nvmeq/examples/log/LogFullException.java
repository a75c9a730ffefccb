package io.nvmeq.examples.log;

/** The next record does not fit on the device. Nothing was written. */
final class LogFullException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    LogFullException(final String message)
    {
        super(message);
    }
}
