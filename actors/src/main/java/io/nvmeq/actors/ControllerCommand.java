package io.nvmeq.actors;

import java.util.List;
import java.util.Objects;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;

/** What a {@link ControllerSupervisor} accepts, with its replies. */
public sealed interface ControllerCommand
    permits ControllerCommand.GetQueuePairs, ControllerCommand.GetControllerInfo, ControllerCommand.Shutdown,
    ControllerSupervisor.Internal
{
    /** Asks for the running queue-pair actors. */
    record GetQueuePairs(ActorRef<QueuePairs> replyTo) implements ControllerCommand
    {
        public GetQueuePairs
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    record QueuePairs(List<ActorRef<QueuePairCommand>> queuePairs)
    {
        public QueuePairs
        {
            queuePairs = List.copyOf(queuePairs);
        }
    }

    /** Asks for the Identify data of the controller and its active namespaces. */
    record GetControllerInfo(ActorRef<ControllerDescription> replyTo) implements ControllerCommand
    {
        public GetControllerInfo
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    record ControllerDescription(ControllerInfo controller, List<NamespaceInfo> namespaces)
    {
        public ControllerDescription
        {
            namespaces = List.copyOf(namespaces);
        }
    }

    /**
     * Drains and stops the queue pairs (deleting their queues), shuts the controller down and closes
     * it, then stops the supervisor. Bounded by the settings' shutdown timeout.
     */
    record Shutdown(ActorRef<ShutdownComplete> replyTo) implements ControllerCommand
    {
        public Shutdown
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** @param clean false if a queue pair had to be stopped forcibly or closing the controller failed */
    record ShutdownComplete(boolean clean)
    {
    }
}
