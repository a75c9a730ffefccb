package io.nvmeq.engine;

/** A request the driver refused before anything reached the device: nothing was changed. */
public final class InvalidRequestException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(final String message)
    {
        super(message);
    }
}
