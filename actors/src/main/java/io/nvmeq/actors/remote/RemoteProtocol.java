package io.nvmeq.actors.remote;

import java.util.List;
import java.util.Objects;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The messages between a client ({@link RemoteNvmeq}) and a served namespace, all carried by
 * {@link RemoteSerializer} (bytes on the wire, never Java serialization).
 *
 * <p>A client sends {@link Connect} to the namespace's service (found through the Receptionist); the
 * service answers {@link Connected} with a session of its own for that client, bound to one queue pair of
 * the server, so that the client's requests reach the device in the order it sent them. Requests to the
 * session carry a client-chosen {@code id}; each gets at most one answer with that id ({@link Done},
 * {@link ReadData} or {@link Failed}) at the client's reply actor. Akka remoting delivers at most once:
 * an answer that never comes is the client's to report, as an outcome unknown.
 */
public final class RemoteProtocol
{
    private RemoteProtocol()
    {
    }

    /** Every message that crosses the network: bound to {@link RemoteSerializer} in the cluster configuration. */
    public sealed interface RemoteMessage permits ServiceCommand, SessionCommand, ClientReply
    {
    }

    /** What a namespace service accepts. */
    public sealed interface ServiceCommand extends RemoteMessage permits Connect, RestartServer
    {
    }

    /**
     * Fault injection (the remote fault drill): the server's cluster node stops and starts again at the same
     * address, a new incarnation that rejoins the cluster and registers anew; its device stays open. Served only
     * by a server started with restarts allowed ({@code nvmeq serve --allow-restarts}); others log and ignore it.
     */
    public record RestartServer() implements ServiceCommand
    {
    }

    /** Opens a session for {@code client}, which gets every answer of it. */
    public record Connect(ActorRef<ClientReply> client) implements ServiceCommand
    {
        public Connect
        {
            Objects.requireNonNull(client, "client");
        }
    }

    /**
     * What a session accepts: a {@link Requests} batch (what a client sends) or one {@link Request}. Every field
     * is checked by the server's queue pair, as local requests are.
     */
    public sealed interface SessionCommand extends RemoteMessage permits Request, Requests
    {
    }

    /** One request of the data path, answered once by its {@code id}. */
    public sealed interface Request extends SessionCommand
        permits ReadBlocks, WriteBlocks, FlushBlocks, WriteZeroesBlocks, DeallocateBlocks
    {
        long id();
    }

    /**
     * The requests a client had ready at one time, in the order they were sent: one Artery message (one frame,
     * one write on the socket) instead of one each. Never bigger than {@code nvmeq.remote.max-message-bytes} of data.
     */
    public record Requests(List<Request> requests) implements SessionCommand
    {
        public Requests
        {
            requests = List.copyOf(requests);
        }
    }

    public record ReadBlocks(long id, long lba, int blocks) implements Request
    {
    }

    /** {@code data} holds exactly blocks × block size bytes. */
    public record WriteBlocks(long id, long lba, int blocks, boolean fua, BlockData data) implements Request
    {
        public WriteBlocks
        {
            Objects.requireNonNull(data, "data");
        }

        public WriteBlocks(final long id, final long lba, final int blocks, final boolean fua, final byte[] data)
        {
            this(id, lba, blocks, fua, new BlockData.Bytes(data));
        }
    }

    public record FlushBlocks(long id) implements Request
    {
    }

    public record WriteZeroesBlocks(long id, long lba, int blocks, boolean deallocate, boolean fua) implements Request
    {
    }

    public record DeallocateBlocks(long id, long lba, long blocks) implements Request
    {
    }

    /** What the client's reply actor receives. */
    public sealed interface ClientReply extends RemoteMessage permits Connected, Answer, Answers
    {
    }

    /** The answer to one {@link Request}, by its id. */
    public sealed interface Answer extends ClientReply permits Done, ReadData, Failed
    {
        long id();
    }

    /**
     * The answers a session had ready at one time (what completed while the server's node thread was busy), in
     * one Artery message. A client's node takes them as they are read from the wire (read data straight into
     * the callers' buffers): what reaches its reply actor then is an empty batch.
     */
    public record Answers(List<Answer> answers) implements ClientReply
    {
        public Answers
        {
            answers = List.copyOf(answers);
        }
    }

    /**
     * The session is open.
     *
     * @param queue    the server's queue pair the session's requests go to
     * @param readOnly writes, write-zeroes and deallocates are refused (nothing is sent to the device)
     */
    public record Connected(ActorRef<SessionCommand> session, ControllerInfo controller, NamespaceInfo namespace,
        int queue, boolean readOnly) implements ClientReply
    {
        public Connected
        {
            Objects.requireNonNull(session, "session");
            Objects.requireNonNull(controller, "controller");
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    /** The device completed the command. */
    public record Done(long id) implements Answer
    {
    }

    /** The read completed: {@code data} is what the device returned. */
    public record ReadData(long id, BlockData data) implements Answer
    {
        public ReadData
        {
            Objects.requireNonNull(data, "data");
        }

        public ReadData(final long id, final byte[] data)
        {
            this(id, new BlockData.Bytes(data));
        }
    }

    /**
     * The server answered with an error.
     *
     * @param kind    what the error was: one of {@link FailureKind}
     * @param opcode  for {@link FailureKind#DEVICE}: the command's opcode
     * @param status  for {@link FailureKind#DEVICE}: the completion's status field
     * @param message the server's words
     */
    public record Failed(long id, FailureKind kind, int opcode, int status, String message) implements Answer
    {
        public Failed
        {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The kinds of server-side failure a client can tell apart. */
    public enum FailureKind
    {
        /** Refused before reaching the device (bad range, read-only namespace): nothing changed. */
        INVALID,
        /** The device answered with an error status. */
        DEVICE,
        /** Refused by the server's queue pair for now (backlog full, stopping): nothing was sent. */
        REFUSED,
        /** The server gave up on the command (timeout, reset): its outcome is unknown. */
        UNKNOWN
    }
}
