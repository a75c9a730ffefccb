package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/** The controller is not (or no longer) served: bring-up failed, or it was shut down. */
public final class ControllerUnavailableException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public ControllerUnavailableException(final String message)
    {
        super(message);
    }

    public ControllerUnavailableException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
