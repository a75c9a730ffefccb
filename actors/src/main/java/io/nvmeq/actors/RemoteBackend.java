package io.nvmeq.actors;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.typesafe.config.Config;
import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The facade over a namespace served by {@code nvmeq serve} elsewhere: a {@link RemoteNvmeq} client (its
 * cluster actor system and its session with the server) seen as one queue, index 0, since a session is
 * bound to one queue pair of the server and keeps the order of its requests.
 */
final class RemoteBackend implements NvmeqBackend
{
    private final NvmeqSettings settings;
    private final RemoteNvmeq remote;
    private final RemoteQueueRequests requests;
    private final NvmeqQueue queue;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteBackend(final NvmeqSettings settings, final RemoteNvmeq remote)
    {
        this.settings = settings;
        this.remote = remote;
        this.requests = new RemoteQueueRequests(remote, settings.device());
        this.queue = new NvmeqQueue(0, requests);
    }

    /**
     * Joins the cluster of the URI and opens a session with the namespace's server, within
     * {@code nvmeq.remote.connect-timeout} of {@code config}.
     *
     * @throws io.nvmeq.actors.remote.RemoteUnavailableException if no server of the namespace was found and
     *                                                           connected in time (nothing stays running)
     */
    static RemoteBackend open(final NvmeqSettings settings, final Config config)
    {
        return new RemoteBackend(settings, RemoteNvmeq.open(settings.device(), config));
    }

    /** The start of every refusal's message on a remote namespace. */
    static String servedElsewhere(final String device)
    {
        return device + " is a namespace served over the network";
    }

    @Override
    public LocalNvmeq local(final String call, final String instead)
    {
        throw new LocalOnlyException(servedElsewhere(settings.device()) + ": " + call +
            " needs a controller attached to this JVM, nothing was done; " + instead);
    }

    @Override
    public Optional<RemoteNvmeq> remote()
    {
        return Optional.of(remote);
    }

    @Override
    public ControllerInfo controller()
    {
        return remote.controller();
    }

    @Override
    public List<NamespaceInfo> namespaces()
    {
        return remote.namespaces();
    }

    @Override
    public NamespaceInfo namespace(final int nsid)
    {
        return remote.namespace(nsid);
    }

    @Override
    public int queuePairs()
    {
        return 1;
    }

    @Override
    public NvmeqQueue queue(final int index)
    {
        if (index != 0)
        {
            throw new InvalidRequestException("queue index " + index + " is outside 0..0: " +
                servedElsewhere(settings.device()) + ", reached through one queue (its session with the server)");
        }
        return queue;
    }

    @Override
    public int callerQueue()
    {
        return 0;
    }

    @Override
    public NvmeqQueue callersQueue()
    {
        return queue;
    }

    /**
     * Shuts the gate, lets the requests already sent be answered (each ends by its deadline at the latest),
     * at most the shutdown timeout, then closes the client: what is still outstanding then is answered
     * with an outcome unknown; the client leaves the cluster and its actor system stops.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        requests.close();
        CloseWaits.until(() -> remote.outstanding() == 0, settings.shutdownTimeout());
        remote.close();
    }

    @Override
    public int pendingCount()
    {
        return remote.outstanding();
    }
}
