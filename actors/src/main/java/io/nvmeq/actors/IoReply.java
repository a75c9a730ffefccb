package io.nvmeq.actors;

import java.util.Objects;

import io.nvmeq.engine.NvmeException;

/**
 * The one answer to an {@link IoRequest}, carrying the request's tag: {@link Done} or {@link Failed} for
 * the request records, the {@link IoOperation} itself (its outcome set) for an operation.
 */
public sealed interface IoReply permits IoReply.Done, IoReply.Failed, IoOperation
{
    long tag();

    /** The command completed successfully. */
    record Done(long tag) implements IoReply
    {
    }

    /**
     * The request failed: {@code error} is an engine error (CommandFailedException: the device said
     * no; InvalidRequestException: refused before reaching the device; CommandTimeoutException,
     * ControllerResetException, ControllerFatalException: the engine gave up on the command after a
     * timeout or controller reset) or an actor-layer one ({@link BackpressureException},
     * {@link QueuePairStoppedException}, {@link QueuePairRestartedException}).
     */
    record Failed(long tag, NvmeException error) implements IoReply
    {
        public Failed
        {
            Objects.requireNonNull(error, "error");
        }
    }
}
