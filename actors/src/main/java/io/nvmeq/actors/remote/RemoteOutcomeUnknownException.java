package io.nvmeq.actors.remote;

import io.nvmeq.engine.NvmeException;

/**
 * A remote request was sent, but no answer came within its deadline (the server died, froze or lost the
 * connection, or gave up on the command itself): it may or may not have run. A write may be on the media;
 * read the blocks back to know. An answer that arrives later is dropped: the request stays answered once.
 */
public final class RemoteOutcomeUnknownException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public RemoteOutcomeUnknownException(final String message)
    {
        super(message);
    }
}
