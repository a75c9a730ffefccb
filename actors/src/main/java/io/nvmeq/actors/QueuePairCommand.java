package io.nvmeq.actors;

import java.util.Objects;

import akka.actor.typed.ActorRef;

/** Everything an application may tell a queue-pair actor: I/O requests, a status query, fault injection. */
public sealed interface QueuePairCommand extends QueuePairMessage
    permits IoRequest, QueuePairCommand.GetStatus, QueuePairCommand.Crash
{
    /** Asks for the queue pair's {@link QueuePairStatus} (its thread, CPU and occupancy). */
    record GetStatus(ActorRef<QueuePairStatus> replyTo) implements QueuePairCommand
    {
        public GetStatus
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * Fault injection: the queue-pair actor fails, as if its code had thrown, and is restarted (its
     * queues deleted and re-created, its requests re-submitted). For tests and failure drills.
     *
     * @param reason       said in the log
     * @param whilePolling fail in the next completion poll rather than while handling this message
     *                     (if nothing is in flight, it fails at once)
     */
    record Crash(String reason, boolean whilePolling) implements QueuePairCommand
    {
        public Crash
        {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
