package io.nvmeq.actors;

import java.time.Duration;

import io.nvmeq.engine.QueuePair;

/**
 * The messages a {@link QueuePairActor} sends itself, gets back from the controller's admin thread, or
 * gets from its supervisor: not part of the public protocol ({@link QueuePairCommand} does not name
 * them); the actor's behaviour takes both ({@link QueuePairMessage}).
 */
sealed interface QueuePairInternal extends QueuePairMessage
{
    /** Self-poll mode: reap completions once. */
    record Poll() implements QueuePairInternal
    {
    }

    /** Busy-poll mode: polling threw, or the queue turned out broken: restart. */
    record PollFailed(Throwable cause) implements QueuePairInternal
    {
    }

    /** From the supervisor: finish what is in flight (bounded), then stop and delete the queues. */
    record Stop(Duration drainTimeout) implements QueuePairInternal
    {
    }

    /** Busy-poll mode: while stopping, nothing is left in flight. */
    record Drained() implements QueuePairInternal
    {
    }

    record DrainTimedOut(int incarnation) implements QueuePairInternal
    {
    }

    /**
     * After a failure's backoff: reconnect the NVMe queues in place, or create them if there are none (a
     * revived queue pair); ignored if a later failure happened since.
     */
    record Recreate(int incarnation) implements QueuePairInternal
    {
    }

    /** From the admin thread: the queues were re-created in place ({@code error} null), or could not be. */
    record Reconnected(int incarnation, Throwable error) implements QueuePairInternal
    {
    }

    /** From the admin thread: the new queues exist ({@code queuePair}), or could not be made ({@code error}). */
    record Created(int incarnation, QueuePair queuePair, Throwable error) implements QueuePairInternal
    {
    }

    /** From the supervisor, a cool-down after this queue pair gave up: start afresh. */
    record Revive() implements QueuePairInternal
    {
    }
}
