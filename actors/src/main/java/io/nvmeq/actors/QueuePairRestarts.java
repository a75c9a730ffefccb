package io.nvmeq.actors;

import java.time.Duration;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import io.nvmeq.actors.QueuePairInternal.Created;
import io.nvmeq.actors.QueuePairInternal.Reconnected;
import io.nvmeq.actors.QueuePairInternal.Recreate;
import io.nvmeq.engine.NvmeController;

/**
 * A {@link QueuePairActor}'s restart in place, as a chain of messages so that nothing waits on the
 * queue pair's thread. It shares the controller reset's recovery: after a back-off (the queue is polled
 * meanwhile and takes no new work) the engine reconnects the same queue pair in place
 * ({@link NvmeController#reconnectQueuePairAsync}: Delete I/O SQ and CQ, then Create I/O CQ and SQ on the
 * same rings, or a controller reset if the controller refuses, which re-creates it too); on its next poll
 * the engine takes back what the device completed, resubmits what it may retry and answers the rest
 * ("did nothing" or "outcome unknown"); then what waited in the backlog is submitted. Each admin answer
 * comes back as a message tagged with the incarnation it belongs to; an answer for an earlier one is
 * ignored. A queue pair that gave up deleted its queues; revived, it creates new ones. Confined to the actor.
 */
final class QueuePairRestarts
{
    /** What the restart needs of its actor. */
    interface Owner
    {
        void registerPoller();

        void unregisterPoller();

        void schedulePoll();

        void serveAgain();

        /** The actor's serving behaviour. */
        Behavior<QueuePairMessage> serving();

        Behavior<QueuePairMessage> giveUp(String reason);
    }

    private final Owner owner;
    private final QueuePairState state;
    private final ActorContext<QueuePairMessage> context;
    private final ActorRef<QueuePairMessage> self;
    /** Counts restarts; messages scheduled by an earlier incarnation carry its number and are ignored. */
    private int incarnation;
    private Cancellable recreateTimer;

    QueuePairRestarts(final Owner owner, final QueuePairState state, final ActorContext<QueuePairMessage> context)
    {
        this.owner = owner;
        this.state = state;
        this.context = context;
        this.self = context.getSelf();
    }

    int incarnation()
    {
        return incarnation;
    }

    void cancelTimer()
    {
        if (recreateTimer != null)
        {
            recreateTimer.cancel();
            recreateTimer = null;
        }
    }

    /** After the back-off: the queue reconnected in place, or (revived, without queues) created anew. */
    Behavior<QueuePairMessage> onRecreate(final Recreate recreate)
    {
        if (recreate.incarnation() != incarnation || !state.restarting())
        {
            return owner.serving();
        }
        recreateTimer = null;
        final int current = incarnation;
        try
        {
            if (state.hasQueue())
            {
                state.reconnect().whenComplete((ok, error) -> self.tell(new Reconnected(current, error)));
            }
            else
            {
                state.recreate().whenComplete((created, error) -> self.tell(new Created(current, created, error)));
            }
        }
        catch (final RuntimeException ex)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", ex);
        }
        return owner.serving();
    }

    Behavior<QueuePairMessage> onReconnected(final Reconnected reconnected)
    {
        if (reconnected.incarnation() != incarnation)
        {
            return owner.serving();
        }
        if (reconnected.error() != null)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": reconnecting its queues failed",
                reconnected.error());
        }
        final int resubmitted = state.reconnected();
        owner.registerPoller();
        context.getLog().info("queue pair {} reconnected its queues after failure {} in a row; {} requests waited",
            state.queueId, state.failuresInARow(), resubmitted + state.backlogSize());
        owner.schedulePoll();
        return owner.serving();
    }

    Behavior<QueuePairMessage> onCreated(final Created created)
    {
        if (created.incarnation() != incarnation)
        {
            return owner.serving();
        }
        if (created.error() != null)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", created.error());
        }
        state.attach(created.queuePair());
        owner.registerPoller();
        context.getLog().info("queue pair {} created new queues after it had given up", state.queueId);
        owner.schedulePoll();
        return owner.serving();
    }

    /**
     * After a cool-down (as SPDK reconnects a failed qpair): the tombstone serves again with new queues,
     * its failures in a row forgotten.
     */
    Behavior<QueuePairMessage> revive()
    {
        context.getLog().info("queue pair {} comes back after giving up: re-creating its queues", state.queueId);
        owner.serveAgain();
        incarnation++;
        state.revive();
        self.tell(new Recreate(incarnation));
        return owner.serving();
    }

    /**
     * Restarts the actor in place, on its own thread: after a backoff its queues are reconnected (see the
     * class comment), or, past max-restarts or while stopping, it gives up (its queues deleted, every
     * request answered). A failure while an earlier one is still being recovered from (its queues not yet
     * reconnected) is the same outage, not one more in a row.
     */
    Behavior<QueuePairMessage> restart(final Throwable cause)
    {
        if (state.restarting())
        {
            context.getLog().info("queue pair {} failed again while recovering ({}); not counted as a failure in a row",
                state.queueId, cause.getMessage());
            return owner.serving();
        }
        incarnation++;
        cancelTimer();
        state.beginRecovery();
        if (cause instanceof QueuePairFailure failure && failure.injected())
        {
            context.getLog().info("queue pair {} failed (failure {} in a row): {}; reconnecting its queues, {} " +
                "requests wait", state.queueId, state.failuresInARow(), cause.getMessage(), state.backlogSize());
        }
        else if (cause instanceof QueuePairFailure)
        {
            context.getLog().warn("queue pair {} failed (failure {} in a row): {}{}; reconnecting its queues, {} " +
                "requests wait", state.queueId, state.failuresInARow(), cause.getMessage(),
                cause.getCause() != null ? " (" + cause.getCause() + ")" : "", state.backlogSize());
        }
        else
        {
            context.getLog().error("queue pair {} failed (failure {} in a row); reconnecting its queues, {} requests " +
                "wait", state.queueId, state.failuresInARow(), state.backlogSize(), cause);
        }
        if (state.failuresInARow() > state.recovery.maxRestarts())
        {
            return owner.giveUp(state.failuresInARow() + " failures in a row (max-restarts " + state.recovery.maxRestarts() +
                ")");
        }
        if (state.draining())
        {
            return owner.giveUp("it failed while stopping");
        }
        // Polled meanwhile (what completes is answered); a poll that threw is handed back as a message.
        owner.registerPoller();
        final Duration backoff = state.recovery.backoff(state.failuresInARow());
        if (backoff.isZero())
        {
            self.tell(new Recreate(incarnation));
        }
        else
        {
            recreateTimer = context.scheduleOnce(backoff, self, new Recreate(incarnation));
        }
        return owner.serving();
    }
}
