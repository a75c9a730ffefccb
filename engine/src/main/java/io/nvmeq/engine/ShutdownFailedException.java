package io.nvmeq.engine;

/**
 * The controller did not complete its shutdown (§3.6.2): it reported Controller Fatal Status, or
 * CSTS.SHST did not reach "complete" within CAP.TO, e.g. because flushing its volatile write cache
 * failed. Data written since the last successful Flush or FUA write may not be durable. Everything
 * was released all the same: the controller is closed when this is thrown.
 */
public final class ShutdownFailedException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public ShutdownFailedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
