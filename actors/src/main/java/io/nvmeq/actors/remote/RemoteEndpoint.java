package io.nvmeq.actors.remote;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.ExtensionIdProvider;

/**
 * What {@link RemoteSerializer} of one cluster actor system needs beyond Akka: on a server, the DMA buffers
 * that write data is deserialized into; on a client, its requests in flight, whose read data is deserialized
 * straight into the callers' buffers. Set once by the node that owns the actor system, before any request.
 */
final class RemoteEndpoint implements Extension
{
    static final Id ID = new Id();

    private volatile DmaBlockPool pool;
    private volatile RemoteRequests requests;

    static RemoteEndpoint get(final ActorSystem system)
    {
        return ID.get(system);
    }

    DmaBlockPool pool()
    {
        return pool;
    }

    void pool(final DmaBlockPool serverPool)
    {
        pool = serverPool;
    }

    RemoteRequests requests()
    {
        return requests;
    }

    void requests(final RemoteRequests clientRequests)
    {
        requests = clientRequests;
    }

    static final class Id extends AbstractExtensionId<RemoteEndpoint> implements ExtensionIdProvider
    {
        @Override
        public RemoteEndpoint createExtension(final ExtendedActorSystem system)
        {
            return new RemoteEndpoint();
        }

        @Override
        public Id lookup()
        {
            return ID;
        }
    }
}
