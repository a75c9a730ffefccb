package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.DeallocateBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.FlushBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A namespace served by {@code nvmeq serve} elsewhere in the cluster ({@code remote://HOST:PORT/SERIAL/NSID}),
 * with the facade's request methods. Opening it starts a cluster actor system that joins the cluster of
 * HOST:PORT, finds the namespace through the Receptionist and opens a session with its server; requests
 * then go over Artery (mutual TLS off loopback) to one queue pair there, in the order they are sent.
 * Thread-safe. {@code Nvmeq.open} on a {@code remote://} URI opens one of these behind the facade, whose
 * {@code ByteBuffer} requests it serves (see {@code Nvmeq}); use it directly for what only a remote client has
 * (its session, reconnections, late replies, the server's restart).
 *
 * <p><b>Answers.</b> Each stage completes exactly once:
 * <ul>
 *   <li>normally: the server's device completed the command (a write with {@code fua}, or a flush, is on
 *       non-volatile media, as locally);</li>
 *   <li>{@link RemoteOutcomeUnknownException}: sent, but no answer within {@code nvmeq.remote.request-timeout}
 *       (the server died, froze or lost the connection): the command may or may not have run;</li>
 *   <li>{@link RemoteUnavailableException}: refused, nothing done: no reachable server at the moment (it is
 *       found again when it comes back), the client closed, or the server's queue pair full;</li>
 *   <li>{@link InvalidRequestException}: a bad request, refused here or by the server (range past the end,
 *       a read-only namespace), nothing done; {@code CommandFailedException}: the device's error status.</li>
 * </ul>
 * Transfers larger than {@code nvmeq.remote.max-message-bytes} are split into parts (sent in order to the
 * same queue pair); if some parts of a write fail and others succeed, the answer says the blocks are
 * partly written.
 *
 * <p><b>Threads.</b> The client's cluster node runs on one thread (besides its TCP selector): its reply actor,
 * Artery's streams, the TCP connection and the deadline sweep, so that an answer reaches the caller and the
 * next request reaches the socket without a thread hop. Stages complete on that thread: a dependent stage
 * may send the next request at once, but one that blocks holds up every answer of this client and its
 * cluster heartbeats (as a dependent stage on a queue pair's thread holds up that queue pair, see
 * {@code Nvmeq}); the deadlines are swept on a thread of their own, so requests still end by them. Give
 * blocking work an executor of its own ({@code whenCompleteAsync}).
 */
public final class RemoteNvmeq implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteNvmeq.class);

    private final RemoteUri uri;
    private final RemoteOptions options;
    private final ActorSystem<RemoteLink.Command> system;
    private final RemoteRequests requests;
    private final Connected first;

    private RemoteNvmeq(final RemoteUri uri, final RemoteOptions options, final ActorSystem<RemoteLink.Command> system,
        final RemoteRequests requests, final Connected first)
    {
        this.uri = uri;
        this.options = options;
        this.system = system;
        this.requests = requests;
        this.first = first;
    }

    /** Opens {@code uri} with the {@code nvmeq.remote} settings of {@code ConfigFactory.load()}. */
    public static RemoteNvmeq open(final String uri)
    {
        return open(uri, ConfigFactory.load());
    }

    public static RemoteNvmeq open(final String uri, final Config config)
    {
        return open(uri, RemoteOptions.fromConfig(config), config);
    }

    /**
     * Joins the cluster (the options' seed nodes, or else the node the URI names) and waits, at most the
     * connect timeout, for a session with a server of the namespace.
     *
     * @throws RemoteUnavailableException if none was found and connected in time (nothing stays running)
     */
    public static RemoteNvmeq open(final String uri, final RemoteOptions options, final Config config)
    {
        final RemoteUri remote = RemoteUri.of(uri);
        final RemoteOptions joining = options.seedNodes().isEmpty()
            ? options.withSeedNodes(List.of(hostPort(remote)))
            : options;
        final String where = "the server of " + uri;
        final RemoteRequests requests = new RemoteRequests(joining.requestTimeout().toNanos(), joining.maxMessageBytes(), where);
        final CompletableFuture<Connected> first = new CompletableFuture<>();
        final Duration sweep = sweepPeriod(joining.requestTimeout());
        final ActorSystem<RemoteLink.Command> system = ActorSystem.create(
            RemoteLink.create(NamespaceService.key(remote.serial(), remote.nsid()), requests, sweep, first),
            RemoteOptions.SYSTEM_NAME, joining.clusterConfig(config, ClientDowning.CLIENT_ROLE));
        try
        {
            final Connected connected = first.get(joining.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("{}: namespace {} of {} served from {}", uri, remote.nsid(), remote.serial(),
                connected.session().path().address());
            return new RemoteNvmeq(remote, joining, system, requests, connected);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            terminate(system);
            throw new RemoteUnavailableException("interrupted while opening " + uri);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            terminate(system);
            throw new RemoteUnavailableException("no server of namespace " + remote.nsid() + " of controller " +
                remote.serial() + " answered within " + joining.connectTimeout() + " in the cluster of " +
                hostPort(remote) + " (is nvmeq serve running there, and does this node hold the cluster's certificate " +
                "when TLS is on?)");
        }
    }

    /** Deadlines are checked this often: a request is answered at most this long after its deadline. */
    static Duration sweepPeriod(final Duration requestTimeout)
    {
        final Duration quarter = requestTimeout.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(100)) < 0 ? (quarter.isZero() ? Duration.ofMillis(1) : quarter)
            : Duration.ofMillis(100);
    }

    private static String hostPort(final RemoteUri remote)
    {
        return remote.host() + ":" + remote.port();
    }

    /** The served controller, as its server identified it. */
    public ControllerInfo controller()
    {
        return description().controller();
    }

    /** The served namespace. */
    public NamespaceInfo namespace()
    {
        return description().namespace();
    }

    /** The served namespace as a list (the facade's shape), for tools that show every namespace. */
    public List<NamespaceInfo> namespaces()
    {
        return List.of(namespace());
    }

    /** @throws InvalidRequestException unless {@code nsid} is the URI's namespace */
    public NamespaceInfo namespace(final int nsid)
    {
        if (nsid != uri.nsid())
        {
            throw new InvalidRequestException("namespace " + nsid + " is not served by " + uri + " (which names " +
                uri.nsid() + ")");
        }
        return namespace();
    }

    /** Whether the server refuses writes. */
    public boolean readOnly()
    {
        return description().readOnly();
    }

    /** The URI this was opened with. */
    public RemoteUri uri()
    {
        return uri;
    }

    public RemoteOptions options()
    {
        return options;
    }

    /** Requests sent and not answered yet. */
    public int outstanding()
    {
        return requests.outstanding();
    }

    /** Replies that came after their deadline had answered the request (dropped). */
    public long lateReplies()
    {
        return requests.lateReplies();
    }

    /**
     * Fault injection: asks the server of the current session to restart its cluster node (served only by
     * {@code nvmeq serve --allow-restarts}). Requests in flight then get no answer (outcome unknown), new ones
     * are refused until the new incarnation is found.
     *
     * @return false if there is no session to ask through now
     */
    public boolean requestServerRestart()
    {
        final RemoteRequests.Session session = requests.session();
        if (session == null)
        {
            return false;
        }
        session.service().tell(new RemoteProtocol.RestartServer());
        return true;
    }

    /** Sessions opened so far: 1 after open, one more each time a server was found again. */
    public long sessionsOpened()
    {
        return requests.sessionsOpened();
    }

    /** The cluster actor system (for tests and diagnostics). */
    ActorSystem<?> system()
    {
        return system;
    }

    /** Whether requests are being sent now (a reachable server with an open session). */
    public boolean connected()
    {
        return requests.session() != null;
    }

    /** The current session's description, or the first one's while there is none. */
    private Connected description()
    {
        final RemoteRequests.Session session = requests.session();
        return session != null ? session.connected() : first;
    }

    /**
     * Reads {@code blocks} blocks from {@code lba} into {@code buffer} from its position (left unchanged).
     * Never throws: every error completes the stage.
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        final RequestLabel what = RequestLabel.ranged("read", lba, blocks);
        final RemoteRequests.Session session = requests.session();
        final NvmeException refused = check(session, nsid, what, blocks, buffer, true, false);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        final int blockSize = session.connected().namespace().blockSize();
        final int perPart = options.maxMessageBytes() / blockSize;
        final int count = (blocks + perPart - 1) / perPart;
        return requests.send(session, count, (i, id) -> new ReadBlocks(id, lba + (long)i * perPart,
            Math.min(perPart, blocks - i * perPart)), buffer, buffer.position(), perPart * blockSize, false, what);
    }

    /** Writes {@code blocks} blocks at {@code lba} from {@code buffer} from its position (left unchanged). */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        final RequestLabel what = RequestLabel.ranged("write", lba, blocks);
        final RemoteRequests.Session session = requests.session();
        final NvmeException refused = check(session, nsid, what, blocks, buffer, true, true);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        final int blockSize = session.connected().namespace().blockSize();
        final int perPart = options.maxMessageBytes() / blockSize;
        final int count = (blocks + perPart - 1) / perPart;
        final int start = buffer.position();
        return requests.send(session, count, (i, id) ->
        {
            final int partBlocks = Math.min(perPart, blocks - i * perPart);
            final byte[] data = new byte[partBlocks * blockSize];
            buffer.get(start + i * perPart * blockSize, data);
            return new WriteBlocks(id, lba + (long)i * perPart, partBlocks, fua, data);
        }, null, 0, 0, true, what);
    }

    /** Commits the served namespace's volatile write cache (Flush on the server's device). */
    public CompletionStage<Void> flush(final int nsid)
    {
        final RequestLabel what = RequestLabel.of("flush");
        final RemoteRequests.Session session = requests.session();
        final NvmeException refused = check(session, nsid, what, 1, null, false, false);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        return requests.send(session, 1, (i, id) -> new FlushBlocks(id), null, 0, 0, true, what);
    }

    /** {@code blocks} (1..65536) blocks from {@code lba} read as zeroes afterwards. */
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        final RequestLabel what = RequestLabel.ranged("write-zeroes", lba, blocks);
        final RemoteRequests.Session session = requests.session();
        final NvmeException refused = check(session, nsid, what, 1, null, false, false);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        return requests.send(session, 1, (i, id) -> new WriteZeroesBlocks(id, lba, blocks, deallocate, fua), null, 0, 0,
            true, what);
    }

    /** Dataset Management, Deallocate of {@code blocks} blocks from {@code lba}. */
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        final RequestLabel what = RequestLabel.ranged("deallocate", lba, blocks);
        final RemoteRequests.Session session = requests.session();
        final NvmeException refused = check(session, nsid, what, 1, null, false, false);
        if (refused != null)
        {
            return CompletableFuture.failedFuture(refused);
        }
        return requests.send(session, 1, (i, id) -> new DeallocateBlocks(id, lba, blocks), null, 0, 0, true, what);
    }

    /**
     * The refusal of a request that cannot be sent, or null.
     *
     * @param transfer the request moves data through {@code buffer}
     * @param write    the data goes from the buffer to the device
     */
    private NvmeException check(final RemoteRequests.Session session, final int nsid, final RequestLabel what,
        final int blocks, final ByteBuffer buffer, final boolean transfer, final boolean write)
    {
        if (requests.isClosed())
        {
            return new RemoteUnavailableException("the client of " + uri + " is closed: the " + what + " was not sent");
        }
        if (nsid != uri.nsid())
        {
            return new InvalidRequestException("namespace " + nsid + " is not the one " + uri + " names (" + uri.nsid() +
                "): the " + what + " was not sent");
        }
        if (session == null)
        {
            return new RemoteUnavailableException("no reachable server of " + uri + " right now: the " + what +
                " was not sent");
        }
        if (blocks < 1)
        {
            return new InvalidRequestException(blocks + " blocks: a transfer needs at least 1; nothing was sent");
        }
        if (!transfer)
        {
            return null;
        }
        if (buffer == null)
        {
            return new InvalidRequestException("no buffer given (null): the " + what + " was not sent");
        }
        final long bytes = (long)blocks * session.connected().namespace().blockSize();
        if (buffer.remaining() < bytes)
        {
            return new InvalidRequestException("the buffer has " + buffer.remaining() + " bytes from its position, the " +
                what + " needs " + bytes);
        }
        if (!write && buffer.isReadOnly())
        {
            return new InvalidRequestException("a read-only buffer cannot take the " + what);
        }
        return null;
    }

    /**
     * Refuses new requests, answers those in flight with an outcome unknown, leaves the cluster and stops
     * its actor system. Idempotent.
     */
    @Override
    public void close()
    {
        if (requests.isClosed())
        {
            return;
        }
        final Cluster cluster = Cluster.get(system);
        requests.close();
        LOG.debug("{}: {} requests sent in {} messages", requests.where(), requests.requestsSent(), requests.messagesSent());
        cluster.manager().tell(Leave.create(cluster.selfMember().address()));
        terminate(system);
    }

    private static void terminate(final ActorSystem<?> system)
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("the cluster actor system of a remote client did not terminate in 10 s", ex);
        }
    }
}
