package io.nvmeq.actors.remote;

import java.util.concurrent.CompletionException;

import io.nvmeq.actors.BackpressureException;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.FailureKind;
import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeException;

/** Errors to {@link Failed} on the server, and back to typed exceptions on the client: one table, both ways. */
final class RemoteFailures
{
    private RemoteFailures()
    {
    }

    /** The answer for a request of the session that failed locally with {@code error}. */
    static Failed toFailed(final long id, final Throwable error)
    {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        final String message = String.valueOf(cause.getMessage());
        if (cause instanceof InvalidRequestException)
        {
            return new Failed(id, FailureKind.INVALID, 0, 0, message);
        }
        if (cause instanceof CommandFailedException failed)
        {
            return new Failed(id, FailureKind.DEVICE, failed.opcode(), failed.status(), message);
        }
        if (cause instanceof BackpressureException)
        {
            return new Failed(id, FailureKind.REFUSED, 0, 0, message);
        }
        // Timeouts, resets, a stopped queue pair: the server's own "outcome unknown" (or an unexpected error).
        return new Failed(id, FailureKind.UNKNOWN, 0, 0, cause.getClass().getSimpleName() + ": " + message);
    }

    /** The exception the client reports for {@code failed}, naming the server in {@code where}. */
    static NvmeException toException(final Failed failed, final String where)
    {
        return switch (failed.kind())
        {
            case INVALID -> new InvalidRequestException(where + " refused the request, nothing was changed: " + failed.message());
            case DEVICE -> new CommandFailedException(failed.opcode(), false, failed.status());
            case REFUSED -> new RemoteUnavailableException(where + " refused the request for now, nothing was sent to " +
                "the device: " + failed.message());
            case UNKNOWN -> new RemoteOutcomeUnknownException(where + " gave up on the request, its outcome is unknown " +
                "(it may have run): " + failed.message());
        };
    }
}
