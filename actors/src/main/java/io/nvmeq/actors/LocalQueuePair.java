package io.nvmeq.actors;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.BusyPollThread;

/**
 * Run-to-completion submission for an actor co-located on a queue pair's thread (see
 * {@link Nvmeq#spawnColocated}): {@link #submit} hands the request to the queue pair by a method
 * call on that thread instead of a mailbox message, saving one message hop per I/O; the reply still
 * comes as a message. Same semantics as {@code queue.tell(request)}: exactly one reply, in order with
 * the requests this actor sends; when the direct path is not safe (a restart in progress, the queue
 * pair stopped or given up, a call from another thread) the request is simply told.
 *
 * <pre>{@code
 * LocalQueuePair local = LocalQueuePair.of(queue);   // in the actor's setup, on the queue pair's thread
 * ...
 * if (local != null) local.submit(request); else queue.tell(request);
 * }</pre>
 */
public final class LocalQueuePair
{
    private final QueuePairActor actor;
    private final ActorRef<QueuePairCommand> queue;

    private LocalQueuePair(final QueuePairActor actor, final ActorRef<QueuePairCommand> queue)
    {
        this.actor = actor;
        this.queue = queue;
    }

    /**
     * The local handle of {@code queue}, if the caller runs on that queue pair's busy-poll thread
     * (an actor spawned on its dispatcher); null otherwise: use {@code tell}.
     */
    public static LocalQueuePair of(final ActorRef<QueuePairCommand> queue)
    {
        final BusyPollExecutor executor = BusyPollThread.currentExecutor();
        if (executor == null)
        {
            return null;
        }
        return executor.local(queue) instanceof QueuePairActor actor ? new LocalQueuePair(actor, queue) : null;
    }

    /** The queue pair this handle submits to. */
    public ActorRef<QueuePairCommand> queue()
    {
        return queue;
    }

    /** Submits {@code request} as {@code queue().tell(request)} would, without the message hop when safe. */
    public void submit(final IoRequest request)
    {
        actor.submitLocal(request);
    }
}
