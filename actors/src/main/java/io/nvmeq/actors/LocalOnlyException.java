package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/**
 * A call that needs a controller attached to this JVM (its queue-pair actors, their threads, its DMA
 * memory or IOVA space), made on an {@link Nvmeq} over a namespace served elsewhere ({@code remote://}):
 * nothing was done. The message names the call and what to use instead.
 */
public final class LocalOnlyException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public LocalOnlyException(final String message)
    {
        super(message);
    }
}
