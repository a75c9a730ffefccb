package io.nvmeq.actors;

import java.util.List;
import java.util.Objects;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.engine.ShutdownFailedException;

/** What a {@link ControllerSupervisor} accepts, with its replies. */
public sealed interface ControllerCommand
    permits ControllerCommand.GetQueuePairs, ControllerCommand.GetControllerInfo, ControllerCommand.GetHealth,
    ControllerCommand.GetLogPage, ControllerCommand.Shutdown, ControllerCommand.OpenQueuePair,
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

    /** Asks for the controller's status register and the state of the queue pairs. */
    record GetHealth(ActorRef<Health> replyTo) implements ControllerCommand
    {
        public GetHealth
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * @param csts              the Controller Status register as read now (all ones: the device is gone)
     * @param ready             CSTS.RDY
     * @param fatal             CSTS.CFS, or the register reads all ones
     * @param queuePairsServing queue-pair actors serving requests
     * @param queuePairsFailed  queue-pair actors that gave up recovering or stopped on their own
     * @param restarts          queue-pair restarts since bring-up, all queues together
     * @param controllerResets  controller resets since bring-up (after CSTS.CFS, timeouts, or on request)
     * @param controllerFailed  a reset failed: the controller is unusable and every request on it fails typed
     * @param aborts            Abort commands the queue pairs asked for (commands past their deadline)
     * @param commandTimeouts   commands that missed their deadline after an Abort too (each led to a reset)
     */
    record Health(int csts, boolean ready, boolean fatal, int queuePairsServing, int queuePairsFailed, long restarts,
        long controllerResets, boolean controllerFailed, long aborts, long commandTimeouts)
    {
    }

    /**
     * Get Log Page (e.g. 01h Error Information, 02h SMART / Health Information, 03h Firmware Slot) of
     * {@code bytes} bytes, for namespace {@code nsid} (0xFFFFFFFF = the controller).
     */
    record GetLogPage(int logId, int nsid, int bytes, ActorRef<LogPage> replyTo) implements ControllerCommand
    {
        public GetLogPage
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** The log page's bytes, or the typed error that prevented reading it (then {@code data} is null). */
    record LogPage(int logId, byte[] data, io.nvmeq.engine.NvmeException error)
    {
    }

    /**
     * Asks for an I/O queue pair outside the queue-pair actors, for one plain thread to own (SPDK's
     * one qpair per thread): queue {@code qid} (one no queue-pair actor uses, up to the granted count) with
     * {@code entries} entries. The supervisor has the controller create it without waiting and answers
     * from the admin thread. The owner submits and polls it alone, and deletes it with
     * {@link NvmeController#deleteQueuePair} once done; closing the controller deletes what is left.
     */
    record OpenQueuePair(int qid, int entries, ActorRef<QueuePairOpened> replyTo) implements ControllerCommand
    {
        public OpenQueuePair
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** The new queue pair and the controller that deletes it, or the typed error (then both are null). */
    record QueuePairOpened(QueuePair queuePair, NvmeController controller, NvmeException error)
    {
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

    /**
     * @param clean           false if a queue pair had to be stopped forcibly or closing the controller failed
     * @param shutdownFailure why the controller did not complete its shutdown (data written since the last
     *                        successful flush may not be durable), or null if it did
     */
    record ShutdownComplete(boolean clean, ShutdownFailedException shutdownFailure)
    {
    }
}
