package io.nvmeq.engine;

/** The controller cannot be used: CSTS.CFS, registers reading all ones, or a failed bring-up. */
public final class ControllerFatalException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public ControllerFatalException(final String message)
    {
        super(message);
    }

    public ControllerFatalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
