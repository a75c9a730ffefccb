package io.nvmeq.actors.remote;

import io.nvmeq.engine.NvmeException;

/**
 * A remote request was refused before it was sent, or the server refused it before it reached the
 * device (no session with a reachable server, the client closed, the server's queue pair full): nothing
 * was done. Retrying it later is safe.
 */
public final class RemoteUnavailableException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public RemoteUnavailableException(final String message)
    {
        super(message);
    }
}
