package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.List;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;

/**
 * Root of the facade's actor system: starts the controller supervisor and, once it is up, one reply
 * router per queue pair on that queue pair's own thread (a reply then reaches its router without a
 * thread hand-off or a wake-up), and tells the facade how bring-up went, exactly once (also if the
 * supervisor dies without saying).
 */
final class FacadeGuardian
{
    sealed interface Command permits AwaitStarted, BringUpOutcome, SupervisorStopped
    {
    }

    /** From the facade: answer with {@link Started} once the outcome is known. */
    record AwaitStarted(ActorRef<Started> replyTo) implements Command
    {
    }

    record BringUpOutcome(BringUp outcome) implements Command
    {
    }

    record SupervisorStopped() implements Command
    {
    }

    /** @param routers by queue index when bring-up succeeded; empty otherwise */
    record Started(BringUp outcome, ActorRef<ControllerCommand> supervisor, List<ActorRef<IoReply>> routers)
    {
    }

    private FacadeGuardian()
    {
    }

    static Behavior<Command> create(final NvmeqSettings settings, final PendingReplies pending)
    {
        return Behaviors.setup(context ->
        {
            final ActorRef<BringUp> listener = context.messageAdapter(BringUp.class, BringUpOutcome::new);
            final ActorRef<ControllerCommand> supervisor =
                context.spawn(ControllerSupervisor.create(settings, listener), "controller");
            context.watchWith(supervisor, new SupervisorStopped());
            return waiting(context, pending, supervisor, List.of(), null, null);
        });
    }

    private static Behavior<Command> waiting(
        final ActorContext<Command> context,
        final PendingReplies pending,
        final ActorRef<ControllerCommand> supervisor,
        final List<ActorRef<IoReply>> routers,
        final BringUp outcome,
        final ActorRef<Started> waiter)
    {
        if (outcome != null && waiter != null)
        {
            waiter.tell(new Started(outcome, supervisor, routers));
            return Behaviors.receive(Command.class)
                .onMessage(AwaitStarted.class, again ->
                {
                    again.replyTo().tell(new Started(outcome, supervisor, routers));
                    return Behaviors.same();
                })
                .build();
        }
        return Behaviors.receive(Command.class)
            .onMessage(AwaitStarted.class, await -> waiting(context, pending, supervisor, routers, outcome, await.replyTo()))
            .onMessage(BringUpOutcome.class, received -> outcome != null ? Behaviors.same() :
                waiting(context, pending, supervisor, routersFor(context, pending, received.outcome()), received.outcome(),
                    waiter))
            .onMessage(SupervisorStopped.class, stopped -> waiting(context, pending, supervisor, routers,
                outcome != null ? outcome : new BringUp.Failed(
                    new ControllerUnavailableException("the controller supervisor stopped during bring-up")), waiter))
            .build();
    }

    /** One reply router per queue pair, on its dispatcher; none if bring-up failed. */
    private static List<ActorRef<IoReply>> routersFor(final ActorContext<Command> context,
        final PendingReplies pending, final BringUp outcome)
    {
        if (!(outcome instanceof BringUp.Ready ready))
        {
            return List.of();
        }
        final List<ActorRef<IoReply>> routers = new ArrayList<>(ready.queuePairs().size());
        for (int i = 0; i < ready.queuePairs().size(); i++)
        {
            routers.add(context.spawn(ReplyRouter.create(pending), "replies-" + (i + 1), ready.dispatchers().get(i)));
        }
        return List.copyOf(routers);
    }
}
