package io.nvmeq.engine;

/** A bounded wait on the controller ran out (CSTS.RDY, CSTS.SHST, an admin command). */
public final class ControllerTimeoutException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public ControllerTimeoutException(final String message)
    {
        super(message);
    }
}
