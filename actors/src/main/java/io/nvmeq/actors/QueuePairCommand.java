package io.nvmeq.actors;

import java.util.Objects;

import akka.actor.typed.ActorRef;

/** Everything a queue-pair actor accepts: I/O requests, a status query, and its internal messages. */
public sealed interface QueuePairCommand permits IoRequest, QueuePairCommand.GetStatus, QueuePairActor.Internal
{
    /** Asks for the queue pair's {@link QueuePairStatus} (its thread, CPU and occupancy). */
    record GetStatus(ActorRef<QueuePairStatus> replyTo) implements QueuePairCommand
    {
        public GetStatus
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }
}
