package io.nvmeq.actors.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every namespace of an open {@link Nvmeq} to the cluster: a cluster actor system of its own
 * (nvmeq's local one stays as it is) with one {@link NamespaceService} per namespace, each registered with
 * the Receptionist. It joins the seed nodes of its options, or, with none, forms a cluster of its own.
 * Closing it stops serving; the {@link Nvmeq} stays open (its owner closes it).
 *
 * <p>With restarts allowed, a client may ask it to restart its cluster node (fault injection): the actor system
 * stops and a new incarnation starts at the same address, joining the members the old one knew (and the seed
 * nodes), so that the clients' cluster finds it again; the device stays open throughout.
 */
public final class RemoteServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteServer.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Nvmeq nvmeq;
    private final RemoteOptions options;
    private final boolean readOnly;
    private final boolean restartsAllowed;
    private final Config application;
    private final AtomicLong restarts = new AtomicLong();
    private volatile ActorSystem<Void> system;
    /** The DMA buffers and queue pair of the running incarnation (new ones per incarnation: leases die with their node). */
    private volatile NodeIo io;
    private volatile boolean closed;

    private RemoteServer(final Nvmeq nvmeq, final RemoteOptions options, final boolean readOnly,
        final boolean restartsAllowed, final Config application)
    {
        this.nvmeq = nvmeq;
        this.options = options;
        this.readOnly = readOnly;
        this.restartsAllowed = restartsAllowed;
        this.application = application;
    }

    /** {@link #start(Nvmeq, RemoteOptions, boolean, boolean, Config)} without restarts. */
    public static RemoteServer start(final Nvmeq nvmeq, final RemoteOptions options, final boolean readOnly,
        final Config application)
    {
        return start(nvmeq, options, readOnly, false, application);
    }

    /**
     * @param readOnly        refuse writes, write-zeroes and deallocates from every client
     * @param restartsAllowed serve clients' {@link RemoteProtocol.RestartServer} (fault drills only)
     * @param application     the application's configuration (logging and the like; Akka's cluster settings come
     *                        from {@code options})
     */
    public static RemoteServer start(final Nvmeq nvmeq, final RemoteOptions options, final boolean readOnly,
        final boolean restartsAllowed, final Config application)
    {
        final RemoteServer server = new RemoteServer(nvmeq, options, readOnly, restartsAllowed, application);
        server.system = server.startNode(options);
        return server;
    }

    private ActorSystem<Void> startNode(final RemoteOptions node)
    {
        final DmaBlockPool buffers = DmaBlockPool.allocate(nvmeq, RemoteOptions.serverBufferBytes(application),
            node.maxMessageBytes());
        final CompletableFuture<NodeIo> nodeIo = new CompletableFuture<>();
        final ActorSystem<Void> started;
        try
        {
            started = ActorSystem.create(guardian(nodeIo), RemoteOptions.SYSTEM_NAME,
                node.clusterConfig(application, ClientDowning.SERVER_ROLE));
        }
        catch (final RuntimeException ex)
        {
            buffers.close();
            throw ex;
        }
        // Before the first Connect can arrive: the node is not yet a member, so no client knows the sessions.
        RemoteEndpoint.get(Adapter.toClassic(started)).pool(buffers);
        nodeIo.complete(NodeIo.open(nvmeq, buffers, started.executionContext()));
        io = nodeIo.join();
        final Cluster cluster = Cluster.get(started);
        if (node.seedNodes().isEmpty())
        {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        LOG.info("nvmeq serve: {} at {} ({}), {} namespace(s) of {}", readOnly ? "read-only" : "read-write",
            cluster.selfMember().address(), node.tls() ? "mutual TLS" : "plain TCP on loopback",
            nvmeq.namespaces().size(), nvmeq.controller().serial().trim());
        return started;
    }

    /** @param nodeIo the node's I/O, ready before any client can connect (sessions are spawned on Connect) */
    private Behavior<Void> guardian(final CompletableFuture<NodeIo> nodeIo)
    {
        final Runnable restart = restartsAllowed ? this::restartInBackground : null;
        return Behaviors.setup(context ->
        {
            context.spawn(LeaseReclaimer.create(), "lease-reclaimer");
            for (final NamespaceInfo namespace : nvmeq.namespaces())
            {
                context.spawn(NamespaceService.create(nvmeq, namespace, options.maxMessageBytes(), readOnly, nodeIo,
                    restart), "namespace-" + namespace.nsid());
            }
            context.spawn(ClientDowning.create(options.downClientsAfter()), "client-downing");
            return Behaviors.empty();
        });
    }

    /** Asked from inside the actor system: the restart runs on a thread of its own, which may wait for it to stop. */
    private void restartInBackground()
    {
        final Thread thread = new Thread(this::restart, "nvmeq-serve-restart");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the cluster node and starts a new incarnation at the same address (see the class comment). */
    synchronized void restart()
    {
        if (closed)
        {
            return;
        }
        final ActorSystem<Void> old = system;
        final Cluster cluster = Cluster.get(old);
        final Address self = cluster.selfMember().address();
        final List<String> seeds = new ArrayList<>();
        seeds.add(hostPort(self));
        for (final Member member : cluster.state().getMembers())
        {
            if (!member.address().equals(self))
            {
                seeds.add(hostPort(member.address()));
            }
        }
        options.seedNodes().stream().filter(seed -> !seeds.contains(seed)).forEach(seeds::add);
        final NodeIo oldIo = io;
        terminate(old);
        oldIo.close();
        system = startNode(options.withBind(hostPort(self)).withSeedNodes(seeds));
        restarts.incrementAndGet();
    }

    private static String hostPort(final Address address)
    {
        return address.host().get() + ":" + address.port().get();
    }

    /** Restarts done so far. */
    public long restarts()
    {
        return restarts.get();
    }

    /** The address clients and other members reach this node at. */
    public Address address()
    {
        return Cluster.get(system).selfMember().address();
    }

    /** The cluster actor system (for tests and diagnostics). */
    public ActorSystem<Void> system()
    {
        return system;
    }

    /** Leaves the cluster and stops serving, at most ten seconds. */
    @Override
    public synchronized void close()
    {
        closed = true;
        terminate(system);
        io.close();
    }

    private static void terminate(final ActorSystem<?> system)
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("the cluster actor system did not terminate within {}", SHUTDOWN_TIMEOUT, ex);
        }
    }
}
