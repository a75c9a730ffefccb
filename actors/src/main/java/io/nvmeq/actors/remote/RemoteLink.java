package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.nvmeq.actors.remote.RemoteProtocol.Answer;
import io.nvmeq.actors.remote.RemoteProtocol.Answers;
import io.nvmeq.actors.remote.RemoteProtocol.ClientReply;
import io.nvmeq.actors.remote.RemoteProtocol.Connect;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.Done;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;
import io.nvmeq.actors.remote.RemoteProtocol.ServiceCommand;
import scala.concurrent.ExecutionContextExecutor;

/**
 * A client's link to one served namespace: follows the Receptionist's listing of its service key and the
 * cluster's reachability, opens a session with a server that serves it, and says which session requests
 * may use: none while the server is unreachable or gone (requests are then refused, not sent), the same
 * again when it answers again (a paused server), a new one when a server registers anew (a restarted
 * one). It also has the deadlines of the requests in flight swept.
 */
final class RemoteLink
{
    sealed interface Command permits ListingChanged, Reachability, SessionOpened, Sweep
    {
    }

    private record ListingChanged(Receptionist.Listing listing) implements Command
    {
    }

    private record Reachability(ClusterEvent.ClusterDomainEvent event) implements Command
    {
    }

    private record SessionOpened(Connected connected) implements Command
    {
    }

    private enum Sweep implements Command
    {
        TICK
    }

    /** The dispatcher (cluster.conf) that deadlines are swept on. */
    static final String DEADLINE_DISPATCHER = "nvmeq-remote-deadline-dispatcher";

    /** Resends a Connect that got no answer after this long (it or its answer was lost). */
    private static final long CONNECT_RETRY_NANOS = Duration.ofSeconds(2).toNanos();

    private final ActorContext<Command> context;
    private final ServiceKey<ServiceCommand> key;
    private final RemoteRequests requests;
    private final CompletableFuture<Connected> firstSession;
    private final ActorRef<ClientReply> replies;

    private Set<ActorRef<ServiceCommand>> listed = Set.of();
    private final Set<Address> unreachable = new HashSet<>();
    /** The session opened last (usable or not), and the service it came from. */
    private RemoteRequests.Session known;
    private ActorRef<ServiceCommand> connectingTo;
    private long connectSentAt;

    private RemoteLink(final ActorContext<Command> context, final ServiceKey<ServiceCommand> key,
        final RemoteRequests requests, final CompletableFuture<Connected> firstSession)
    {
        this.context = context;
        this.key = key;
        this.requests = requests;
        this.firstSession = firstSession;
        this.replies = context.spawn(replies(requests, context.getSelf()), "replies");
    }

    static Behavior<Command> create(final ServiceKey<ServiceCommand> key, final RemoteRequests requests,
        final Duration sweepPeriod, final CompletableFuture<Connected> firstSession)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        {
            final ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
            context.getSystem().receptionist().tell(Receptionist.subscribe(key, listings));
            final ActorRef<ClusterEvent.ClusterDomainEvent> events =
                context.messageAdapter(ClusterEvent.ClusterDomainEvent.class, Reachability::new);
            final Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions().tell(Subscribe.create(events.narrow(), ClusterEvent.ReachabilityEvent.class));
            cluster.subscriptions().tell(Subscribe.create(events.narrow(), ClusterEvent.MemberRemoved.class));
            // Read data of the answers goes straight from the wire into the callers' buffers (RemoteSerializer), and
            // requests are sent in batches from this node's thread.
            RemoteEndpoint.get(Adapter.toClassic(context.getSystem())).requests(requests);
            requests.sendOn(context.getSystem().executionContext());
            startSweeping(timers, sweepPeriod);
            sweepDeadlines(context, requests, sweepPeriod);
            return new RemoteLink(context, key, requests, firstSession).behavior();
        }));
    }

    private static void startSweeping(final TimerScheduler<Command> timers, final Duration period)
    {
        timers.startTimerWithFixedDelay(Sweep.TICK, period);
    }

    /**
     * The deadlines are swept on a thread of their own, not this node's actor thread: a caller's stage that
     * blocks that thread (waiting, say, for another request of this client) then still gets its requests
     * answered by their deadlines instead of hanging. Stops with the actor system's scheduler.
     */
    private static void sweepDeadlines(final ActorContext<Command> context, final RemoteRequests requests,
        final Duration period)
    {
        final ExecutionContextExecutor sweeper =
            context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(DEADLINE_DISPATCHER));
        context.getSystem().scheduler().scheduleWithFixedDelay(period, period,
            () -> requests.sweep(System.nanoTime()), sweeper);
    }

    private Behavior<Command> behavior()
    {
        return Behaviors.receive(Command.class)
            .onMessage(ListingChanged.class, changed ->
            {
                listed = changed.listing().getServiceInstances(key);
                update();
                return Behaviors.same();
            })
            .onMessage(Reachability.class, reachability ->
            {
                onClusterEvent(reachability.event());
                update();
                return Behaviors.same();
            })
            .onMessage(SessionOpened.class, opened ->
            {
                if (connectingTo != null)
                {
                    known = new RemoteRequests.Session(opened.connected().session(), connectingTo, opened.connected());
                    connectingTo = null;
                    requests.opened();
                    context.getLog().info("session with {} open (queue pair {} there{})", known.address(),
                        opened.connected().queue(), opened.connected().readOnly() ? ", read-only" : "");
                    update();
                    firstSession.complete(opened.connected());
                }
                return Behaviors.same();
            })
            .onMessage(Sweep.class, tick ->
            {
                if (connectingTo != null && System.nanoTime() - connectSentAt > CONNECT_RETRY_NANOS)
                {
                    connectingTo = null;
                    update();
                }
                return Behaviors.same();
            })
            .build();
    }

    private void onClusterEvent(final ClusterEvent.ClusterDomainEvent event)
    {
        if (event instanceof ClusterEvent.UnreachableMember member)
        {
            unreachable.add(member.member().address());
        }
        else if (event instanceof ClusterEvent.ReachableMember member)
        {
            unreachable.remove(member.member().address());
        }
        else if (event instanceof ClusterEvent.MemberRemoved removed)
        {
            unreachable.remove(removed.member().address());
            if (known != null && known.address().equals(removed.member().address()))
            {
                context.getLog().info("the server {} left the cluster", known.address());
                known = null;
            }
        }
    }

    /** Decides the usable session, and opens a new one where none can be. */
    private void update()
    {
        if (requests.isClosed())
        {
            return;
        }
        final boolean knownUsable = known != null && listed.contains(known.service()) && !unreachable.contains(known.address());
        final RemoteRequests.Session previous = requests.session();
        requests.session(knownUsable ? known : null);
        if (previous != null && !knownUsable)
        {
            context.getLog().warn("{} ({}) is unreachable or gone: requests are refused until it is back",
                requests.where(), previous.address());
        }
        if (knownUsable || connectingTo != null)
        {
            return;
        }
        for (final ActorRef<ServiceCommand> service : listed)
        {
            if (!unreachable.contains(service.path().address()) && (known == null || !service.equals(known.service())))
            {
                connectingTo = service;
                connectSentAt = System.nanoTime();
                context.getLog().info("opening a session with {}", service.path().address());
                service.tell(new Connect(replies));
                return;
            }
        }
    }

    /**
     * Answers requests straight from the replies (no hop through the link); sessions go to the link. The answers
     * of a batch were mostly taken already as they were read from the wire (see {@link RemoteSerializer}).
     */
    private static Behavior<ClientReply> replies(final RemoteRequests requests, final ActorRef<Command> link)
    {
        return Behaviors.receive(ClientReply.class)
            .onMessage(Answers.class, answers ->
            {
                for (final Answer answer : answers.answers())
                {
                    answer(requests, answer);
                }
                return Behaviors.same();
            })
            .onMessage(Answer.class, answer ->
            {
                answer(requests, answer);
                return Behaviors.same();
            })
            .onMessage(Connected.class, connected ->
            {
                link.tell(new SessionOpened(connected));
                return Behaviors.same();
            })
            .build();
    }

    private static void answer(final RemoteRequests requests, final Answer answer)
    {
        if (answer instanceof Done done)
        {
            requests.done(done.id());
        }
        else if (answer instanceof ReadData read)
        {
            final ByteBuffer data = ByteBuffer.allocate(read.data().length());
            read.data().copyTo(data);
            requests.readData(read.id(), data.flip(), data.remaining());
        }
        else if (answer instanceof Failed failed)
        {
            requests.failed(failed);
        }
    }
}
