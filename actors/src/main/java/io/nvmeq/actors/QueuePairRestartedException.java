package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/**
 * The queue pair failed while the request was in flight and the request was not re-submitted (it
 * had used up its retries). The failed queue was deleted before this answer, so the device no longer
 * touches the request's buffer; whether a write reached the media is unknown.
 */
public final class QueuePairRestartedException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public QueuePairRestartedException(final String message)
    {
        super(message);
    }
}
