package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/**
 * An {@link NvmeqThreadQueue} was used from a thread other than the one that opened it: refused before
 * anything was sent. Its queue pair is polled without a lock by its owner alone, so another thread's
 * request could only race with the owner's; use that thread's own thread queue, or an {@link NvmeqQueue}.
 */
public final class NotQueueOwnerException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public NotQueueOwnerException(final String message)
    {
        super(message);
    }
}
