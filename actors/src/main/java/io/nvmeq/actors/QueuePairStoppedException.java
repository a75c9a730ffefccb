package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/**
 * The queue pair stopped (shutdown or failure) before the request completed; if it had reached the
 * device, the queue was deleted first, so the device no longer touches the request's buffer.
 */
public final class QueuePairStoppedException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public QueuePairStoppedException(final String message)
    {
        super(message);
    }
}
