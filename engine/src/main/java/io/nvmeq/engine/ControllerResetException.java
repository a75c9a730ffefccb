package io.nvmeq.engine;

/**
 * The controller was reset while the command was outstanding, and the driver's retries of it were used
 * up. {@link #status()} says what is known: {@link HostStatus#NOT_SUBMITTED_BEFORE_RESET} (it never
 * reached the controller, so it did nothing) or {@link HostStatus#ABORTED_BY_RESET} (the controller held
 * it: whether it was executed is unknown). Retryable: the controller works again after the reset.
 */
public final class ControllerResetException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    public ControllerResetException(final String message, final int status)
    {
        super(message);
        this.status = status;
    }

    /** {@link HostStatus#ABORTED_BY_RESET} or {@link HostStatus#NOT_SUBMITTED_BEFORE_RESET}. */
    public int status()
    {
        return status;
    }

    public boolean retryable()
    {
        return true;
    }
}
