package io.nvmeq.actors.remote;

import java.util.concurrent.CompletableFuture;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.remote.RemoteProtocol.Connect;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.RestartServer;
import io.nvmeq.actors.remote.RemoteProtocol.ServiceCommand;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.engine.NamespaceInfo;

/**
 * One served namespace: registered with the Receptionist under its service key (controller serial and
 * nsid), it opens a {@link ClientSession} per {@link Connect}, giving the sessions the server's queue pairs
 * in turn (each client keeps its own order; several clients spread over the queue pairs).
 */
final class NamespaceService
{
    private NamespaceService()
    {
    }

    static ServiceKey<ServiceCommand> key(final String serial, final int nsid)
    {
        return ServiceKey.create(ServiceCommand.class, RemoteUri.serviceName(serial, nsid));
    }

    /**
     * @param io      the node's DMA buffers and queue pair, ready just after the node started
     * @param restart restarts the server's cluster node; null when restarts are not allowed
     */
    static Behavior<ServiceCommand> create(final Nvmeq nvmeq, final NamespaceInfo namespace, final int maxBytes,
        final boolean readOnly, final CompletableFuture<NodeIo> io, final Runnable restart)
    {
        return Behaviors.setup(context ->
        {
            final String serial = nvmeq.controller().serial().trim();
            context.getSystem().receptionist().tell(Receptionist.register(key(serial, namespace.nsid()), context.getSelf()));
            context.getLog().info("serving namespace {} of controller {} ({} blocks of {} bytes{}) as {}", namespace.nsid(),
                serial, namespace.blocks(), namespace.blockSize(), readOnly ? ", read-only" : "",
                RemoteUri.serviceName(serial, namespace.nsid()));
            final int[] sessions = {0};
            return Behaviors.receive(ServiceCommand.class)
                .onMessage(Connect.class, connect ->
                {
                    if (!io.isDone())
                    {
                        // The node is still opening its queue pair: the client sends Connect again shortly.
                        context.getLog().info("client {} connected before this node was ready: it will ask again",
                            connect.client().path().address());
                        return Behaviors.same();
                    }
                    final int queue = sessions[0] % nvmeq.queuePairs();
                    final ActorRef<SessionCommand> session = context.spawn(
                        ClientSession.create(nvmeq.queue(queue), namespace.nsid(), namespace.blockSize(), maxBytes, readOnly,
                            io.join(), connect.client()),
                        "session-" + ++sessions[0]);
                    context.getLog().info("client {} connected to namespace {}: session {} on queue pair {}",
                        connect.client().path().address(), namespace.nsid(), sessions[0], queue);
                    connect.client().tell(new Connected(session, nvmeq.controller(), namespace, queue, readOnly));
                    return Behaviors.same();
                })
                .onMessage(RestartServer.class, restartServer ->
                {
                    if (restart == null)
                    {
                        context.getLog().warn("a restart of this server was asked for and refused: restarts are not allowed");
                    }
                    else
                    {
                        context.getLog().warn("restarting this server's cluster node, as asked (fault injection)");
                        restart.run();
                    }
                    return Behaviors.same();
                })
                .build();
        });
    }
}
