package io.nvmeq.actors;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;

/**
 * Root of the facade's actor system: starts the reply router and the controller supervisor, and
 * tells the facade how bring-up went, exactly once (also if the supervisor dies without saying).
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

    record Started(BringUp outcome, ActorRef<ControllerCommand> supervisor, ActorRef<IoReply> router)
    {
    }

    private FacadeGuardian()
    {
    }

    static Behavior<Command> create(final NvmeqSettings settings, final Map<Long, CompletableFuture<Void>> pending)
    {
        return Behaviors.setup(context ->
        {
            final ActorRef<IoReply> router = context.spawn(ReplyRouter.create(pending), "replies");
            final ActorRef<BringUp> listener = context.messageAdapter(BringUp.class, BringUpOutcome::new);
            final ActorRef<ControllerCommand> supervisor =
                context.spawn(ControllerSupervisor.create(settings, listener), "controller");
            context.watchWith(supervisor, new SupervisorStopped());
            return waiting(supervisor, router, null, null);
        });
    }

    private static Behavior<Command> waiting(
        final ActorRef<ControllerCommand> supervisor,
        final ActorRef<IoReply> router,
        final BringUp outcome,
        final ActorRef<Started> waiter)
    {
        if (outcome != null && waiter != null)
        {
            waiter.tell(new Started(outcome, supervisor, router));
            return Behaviors.receive(Command.class)
                .onMessage(AwaitStarted.class, again ->
                {
                    again.replyTo().tell(new Started(outcome, supervisor, router));
                    return Behaviors.same();
                })
                .build();
        }
        return Behaviors.receive(Command.class)
            .onMessage(AwaitStarted.class, await -> waiting(supervisor, router, outcome, await.replyTo()))
            .onMessage(BringUpOutcome.class, received ->
                waiting(supervisor, router, outcome != null ? outcome : received.outcome(), waiter))
            .onMessage(SupervisorStopped.class, stopped -> waiting(supervisor, router, outcome != null ? outcome :
                new BringUp.Failed(new ControllerUnavailableException("the controller supervisor stopped during bring-up")),
                waiter))
            .build();
    }
}
