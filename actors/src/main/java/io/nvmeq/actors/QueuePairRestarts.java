package io.nvmeq.actors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import io.nvmeq.actors.QueuePairInternal.Created;
import io.nvmeq.actors.QueuePairInternal.CqDeleted;
import io.nvmeq.actors.QueuePairInternal.Recreate;
import io.nvmeq.actors.QueuePairInternal.SqDeleted;

/**
 * A {@link QueuePairActor}'s restart in place, as a chain of messages so that nothing waits on the
 * queue pair's thread: Delete I/O SQ (the actor goes on reaping meanwhile) → a last reap → Delete I/O
 * CQ → the requests in flight moved to the retry queue → a back-off → Create I/O CQ and SQ → what waited
 * re-submitted. Each admin step is answered on the controller's admin thread and comes back as a message
 * tagged with the incarnation it belongs to; an answer for an earlier incarnation is ignored. Confined to
 * the actor.
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
        Behavior<QueuePairCommand> serving();

        Behavior<QueuePairCommand> giveUp(String reason);
    }

    private final Owner owner;
    private final QueuePairState state;
    private final ActorContext<QueuePairCommand> context;
    private final ActorRef<QueuePairCommand> self;
    /** Counts restarts; messages scheduled by an earlier incarnation carry its number and are ignored. */
    private int incarnation;
    private Cancellable recreateTimer;

    QueuePairRestarts(final Owner owner, final QueuePairState state, final ActorContext<QueuePairCommand> context)
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

    Behavior<QueuePairCommand> onRecreate(final Recreate recreate)
    {
        if (recreate.incarnation() != incarnation || state.hasQueue())
        {
            return owner.serving();
        }
        recreateTimer = null;
        final int current = incarnation;
        try
        {
            state.recreate().whenComplete((created, error) -> self.tell(new Created(current, created, error)));
        }
        catch (final RuntimeException ex)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", ex);
        }
        return owner.serving();
    }

    Behavior<QueuePairCommand> onCreated(final Created created)
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
        final int resubmitted = state.attach(created.queuePair());
        owner.registerPoller();
        context.getLog().info("queue pair {} re-created its queues after failure {} in a row; {} requests re-submitted",
            state.queueId, state.failuresInARow(), resubmitted);
        owner.schedulePoll();
        return owner.serving();
    }

    Behavior<QueuePairCommand> onSqDeleted(final SqDeleted deleted)
    {
        if (deleted.incarnation() != incarnation)
        {
            return owner.serving();
        }
        if (deleted.error() != null)
        {
            return deletionFailed(deleted.error());
        }
        final int current = incarnation;
        state.afterSubmissionQueueDeleted().whenComplete((ok, error) -> self.tell(new CqDeleted(current, error)));
        return owner.serving();
    }

    Behavior<QueuePairCommand> onCqDeleted(final CqDeleted deleted)
    {
        if (deleted.incarnation() != incarnation)
        {
            return owner.serving();
        }
        if (deleted.error() != null)
        {
            return deletionFailed(deleted.error());
        }
        state.afterDeletion(true);
        return afterDeletion();
    }

    private Behavior<QueuePairCommand> deletionFailed(final Throwable error)
    {
        context.getLog().error("queue pair {}: deleting its queues failed; its {} commands are held until the " +
            "controller is reset or closed", state.queueId, state.inFlight(), error);
        state.afterDeletion(false);
        return owner.giveUp("the controller did not confirm deleting its queues");
    }

    /** The failed queues are gone: after a back-off new ones, or, past max-restarts, give up. */
    private Behavior<QueuePairCommand> afterDeletion()
    {
        owner.unregisterPoller();
        if (state.failuresInARow() > state.recovery.maxRestarts())
        {
            return owner.giveUp(state.failuresInARow() + " failures in a row (max-restarts " + state.recovery.maxRestarts() +
                ")");
        }
        if (state.draining())
        {
            return owner.giveUp("it failed while stopping");
        }
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

    /**
     * After a cool-down (as SPDK reconnects a failed qpair): the tombstone serves again with new queues,
     * its failures in a row forgotten.
     */
    Behavior<QueuePairCommand> revive()
    {
        context.getLog().info("queue pair {} comes back after giving up: re-creating its queues", state.queueId);
        owner.serveAgain();
        incarnation++;
        state.revive();
        self.tell(new Recreate(incarnation));
        return owner.serving();
    }

    /**
     * Restarts the actor in place, on its own thread: the queues deleted without waiting (it goes on
     * reaping what the controller completes meanwhile), every request accounted for (see
     * {@link QueuePairState#afterDeletion}), then after a backoff new queues (or, past max-restarts or if
     * the controller did not confirm the deletion, a stop). A failure while an earlier one is still being
     * recovered from (its queues not yet re-created) is the same outage, not one more in a row.
     */
    Behavior<QueuePairCommand> restart(final Throwable cause)
    {
        if (state.restarting())
        {
            context.getLog().info("queue pair {} failed again while recovering ({}); not counted as a failure in a row",
                state.queueId, cause.getMessage());
            return owner.serving();
        }
        incarnation++;
        if (recreateTimer != null)
        {
            recreateTimer.cancel();
            recreateTimer = null;
        }
        state.beginRecovery();
        if (cause instanceof QueuePairFailure failure && failure.injected())
        {
            context.getLog().info("queue pair {} failed (failure {} in a row): {}; deleting its queues, {} " +
                "requests wait for new ones", state.queueId, state.failuresInARow(), cause.getMessage(), state.backlogSize());
        }
        else if (cause instanceof QueuePairFailure)
        {
            context.getLog().warn("queue pair {} failed (failure {} in a row): {}{}; deleting its queues, {} " +
                "requests wait for new ones", state.queueId, state.failuresInARow(), cause.getMessage(),
                cause.getCause() != null ? " (" + cause.getCause() + ")" : "", state.backlogSize());
        }
        else
        {
            context.getLog().error("queue pair {} failed (failure {} in a row); deleting its queues, {} requests " +
                "wait for new ones", state.queueId, state.failuresInARow(), state.backlogSize(), cause);
        }
        final CompletableFuture<Void> deletion = state.sqDeletion();
        if (deletion == null)
        {
            state.afterDeletion(true);
            return afterDeletion();
        }
        owner.registerPoller();
        final int current = incarnation;
        deletion.whenComplete((ok, error) -> self.tell(new SqDeleted(current, error)));
        return owner.serving();
    }
}
