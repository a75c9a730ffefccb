package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/** A queue pair's hardware queue and its bounded backlog were both full: the request was not run. */
public final class BackpressureException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public BackpressureException(final String message)
    {
        super(message);
    }
}
