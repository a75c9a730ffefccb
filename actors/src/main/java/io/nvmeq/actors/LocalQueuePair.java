package io.nvmeq.actors;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.BusyPollThread;
import io.nvmeq.engine.NvmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p><b>No message at all:</b> a handle made with {@link #of(ActorRef, Completions)} answers the
 * {@link IoOperation}s submitted through it by calling {@link Completions#onAnswer} on this thread as the
 * queue pair reaps their completions, the way SPDK calls a completion callback from its poll: no message,
 * no allocation, the next request submitted from inside the call. Answers that arise anywhere else (a
 * request refused at submission, backpressure, a restart, a stop) still come as messages to the
 * operation's {@code replyTo}, so the actor handles both, typically with the same method. The call runs
 * outside the actor's message handling: it may change the actor's own fields and submit, but must not use
 * the {@code ActorContext} (Akka refuses that outside a message), and must not throw (a throw is logged and
 * the answer counts as delivered). Stop such an actor only once it has no operation outstanding.
 */
public final class LocalQueuePair
{
    /** Where the answers of operations submitted through a handle go, called on the queue pair's thread. */
    @FunctionalInterface
    public interface Completions
    {
        /** {@code operation} was answered: {@link IoOperation#error()} null for success. It is the caller's again. */
        void onAnswer(IoOperation operation);
    }

    private static final Logger LOG = LoggerFactory.getLogger(QueuePairActor.class);

    private final QueuePairActor actor;
    private final ActorRef<QueuePairCommand> queue;
    private final Completions completions;
    /** The queue pair's thread, where the handle was made. */
    private final Thread ownThread = Thread.currentThread();

    private LocalQueuePair(final QueuePairActor actor, final ActorRef<QueuePairCommand> queue, final Completions completions)
    {
        this.actor = actor;
        this.queue = queue;
        this.completions = completions;
    }

    /**
     * The local handle of {@code queue}, if the caller runs on that queue pair's busy-poll thread
     * (an actor spawned on its dispatcher); null otherwise: use {@code tell}.
     */
    public static LocalQueuePair of(final ActorRef<QueuePairCommand> queue)
    {
        return of(queue, null);
    }

    /**
     * As {@link #of(ActorRef)}, and the {@link IoOperation}s submitted through the handle are answered by
     * calls to {@code completions} where possible (null: by messages, as {@code tell} would).
     */
    public static LocalQueuePair of(final ActorRef<QueuePairCommand> queue, final Completions completions)
    {
        final BusyPollExecutor executor = BusyPollThread.currentExecutor();
        if (executor == null)
        {
            return null;
        }
        return executor.local(queue) instanceof QueuePairActor actor ? new LocalQueuePair(actor, queue, completions) : null;
    }

    /** The queue pair this handle submits to. */
    public ActorRef<QueuePairCommand> queue()
    {
        return queue;
    }

    /** Submits {@code request} as {@code queue().tell(request)} would, without the message hop when safe. */
    public void submit(final IoRequest request)
    {
        if (request instanceof IoOperation operation)
        {
            submit(operation);
            return;
        }
        actor.submitLocal(request);
    }

    /**
     * Submits a prepared {@code operation}; its answer comes by a call to this handle's completions when
     * it comes from the queue pair's completion poll (see the class comment), else as a message.
     */
    public void submit(final IoOperation operation)
    {
        // Only an actor on the queue pair's own thread may be called from its poll.
        final boolean byCall = completions != null && Thread.currentThread() == ownThread;
        for (IoOperation linked = operation; linked != null; linked = linked.peekNextRequest())
        {
            linked.answerByCall = byCall;
            if (byCall && linked.completions != completions)
            {
                linked.completions = completions;
            }
        }
        actor.submitLocal(operation);
    }

    /**
     * Inside {@link Completions#onAnswer}: when the queue pair's current completion poll reaped its answers
     * ({@link System#nanoTime()} terms), read once per poll at its first such call, so that a client timing its
     * I/Os reads the clock once per poll rather than once per answer (a clock read costs about as much as
     * the actor path's own work per I/O). Anywhere else, or on another thread, the clock now.
     */
    public long reapedAt()
    {
        return Thread.currentThread() == ownThread ? actor.state.reapedAt() : System.nanoTime();
    }

    /**
     * Queue pair {@code queueId} answers {@code operation} by a call to the completions it was submitted with;
     * a throw is the client's bug, not the queue pair's: it is logged, the answer counts as delivered.
     */
    static void answerByCall(final IoOperation operation, final NvmeException error, final int queueId)
    {
        final Completions completions = operation.completions;
        operation.complete(error);
        try
        {
            completions.onAnswer(operation);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("queue pair {}: the completions of a co-located client threw on {}", queueId, operation, ex);
        }
    }
}
