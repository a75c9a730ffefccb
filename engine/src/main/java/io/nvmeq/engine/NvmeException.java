package io.nvmeq.engine;

/** Base of every typed error the driver reports. Unchecked: callers match on the subclass. */
public class NvmeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public NvmeException(final String message)
    {
        super(message);
    }

    public NvmeException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
