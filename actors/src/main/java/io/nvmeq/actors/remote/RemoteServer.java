package io.nvmeq.actors.remote;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
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
 */
public final class RemoteServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteServer.class);

    private final ActorSystem<Void> system;
    private final Duration shutdownTimeout;

    private RemoteServer(final ActorSystem<Void> system, final Duration shutdownTimeout)
    {
        this.system = system;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * @param readOnly    refuse writes, write-zeroes and deallocates from every client
     * @param application the application's configuration (logging and the like; Akka's cluster settings come from
     *                    {@code options})
     */
    public static RemoteServer start(final Nvmeq nvmeq, final RemoteOptions options, final boolean readOnly,
        final Config application)
    {
        final ActorSystem<Void> system = ActorSystem.create(guardian(nvmeq, options, readOnly), RemoteOptions.SYSTEM_NAME,
            options.clusterConfig(application, ClientDowning.SERVER_ROLE));
        final Cluster cluster = Cluster.get(system);
        if (options.seedNodes().isEmpty())
        {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        LOG.info("nvmeq serve: {} at {} ({}), {} namespace(s) of {}", readOnly ? "read-only" : "read-write",
            cluster.selfMember().address(), options.tls() ? "mutual TLS" : "plain TCP on loopback",
            nvmeq.namespaces().size(), nvmeq.controller().serial().trim());
        return new RemoteServer(system, Duration.ofSeconds(10));
    }

    private static Behavior<Void> guardian(final Nvmeq nvmeq, final RemoteOptions options, final boolean readOnly)
    {
        return Behaviors.setup(context ->
        {
            for (final NamespaceInfo namespace : nvmeq.namespaces())
            {
                context.spawn(NamespaceService.create(nvmeq, namespace, options.maxMessageBytes(), readOnly),
                    "namespace-" + namespace.nsid());
            }
            context.spawn(ClientDowning.create(options.downClientsAfter()), "client-downing");
            return Behaviors.empty();
        });
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
    public void close()
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("the cluster actor system did not terminate within {}", shutdownTimeout, ex);
        }
    }
}
