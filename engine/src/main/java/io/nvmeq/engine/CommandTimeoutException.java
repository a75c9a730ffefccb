package io.nvmeq.engine;

/**
 * A command got no completion before its deadline, nor after an Abort and a second deadline; the
 * controller was reset and the command failed. Retryable: the device may serve it after the reset.
 */
public final class CommandTimeoutException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    public CommandTimeoutException(final String message, final int status)
    {
        super(message);
        this.status = status;
    }

    /** {@link HostStatus#TIMED_OUT}. */
    public int status()
    {
        return status;
    }

    public boolean retryable()
    {
        return true;
    }
}
