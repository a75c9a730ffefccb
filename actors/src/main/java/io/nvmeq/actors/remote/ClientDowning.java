package io.nvmeq.actors.remote;

import java.time.Duration;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;

/**
 * A server's downing of clients that stopped answering: a client member (role {@value #CLIENT_ROLE}) unreachable
 * for longer than the grace period is downed, so that its sessions stop and the cluster can take new members
 * again. Servers are never downed this way: a frozen server must be able to come back (its clients' requests fail
 * by their deadlines meanwhile), and a restarted one replaces its old incarnation when it joins.
 */
final class ClientDowning
{
    static final String CLIENT_ROLE = "nvmeq-client";
    static final String SERVER_ROLE = "nvmeq-server";

    private record Check(Address address) implements Command
    {
    }

    private record Event(ClusterEvent.ReachabilityEvent event) implements Command
    {
    }

    sealed interface Command permits Check, Event
    {
    }

    private ClientDowning()
    {
    }

    static Behavior<Command> create(final Duration grace)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        {
            final Cluster cluster = Cluster.get(context.getSystem());
            final ActorRef<ClusterEvent.ReachabilityEvent> events =
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Event::new);
            cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.ReachabilityEvent.class));
            return Behaviors.receive(Command.class)
                .onMessage(Event.class, event ->
                {
                    final Member member = event.event().member();
                    if (member.hasRole(CLIENT_ROLE))
                    {
                        if (event.event() instanceof ClusterEvent.UnreachableMember)
                        {
                            timers.startSingleTimer(member.address(), new Check(member.address()), grace);
                        }
                        else
                        {
                            timers.cancel(member.address());
                        }
                    }
                    return Behaviors.same();
                })
                .onMessage(Check.class, check ->
                {
                    final boolean stillUnreachable = cluster.state().getUnreachable().stream()
                        .anyMatch(member -> member.address().equals(check.address()));
                    if (stillUnreachable)
                    {
                        context.getLog().warn("client {} unreachable for {}: downing it (its sessions stop)", check.address(),
                            grace);
                        cluster.manager().tell(Down.apply(check.address()));
                    }
                    return Behaviors.same();
                })
                .build();
        }));
    }
}
