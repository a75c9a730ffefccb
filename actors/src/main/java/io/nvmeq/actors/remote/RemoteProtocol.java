package io.nvmeq.actors.remote;

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

    /** What a session accepts: the data path. Every field is checked by the server's queue pair, as local requests are. */
    public sealed interface SessionCommand extends RemoteMessage
        permits ReadBlocks, WriteBlocks, FlushBlocks, WriteZeroesBlocks, DeallocateBlocks
    {
        long id();
    }

    public record ReadBlocks(long id, long lba, int blocks) implements SessionCommand
    {
    }

    /** {@code data} holds exactly blocks × block size bytes. */
    public record WriteBlocks(long id, long lba, int blocks, boolean fua, byte[] data) implements SessionCommand
    {
        public WriteBlocks
        {
            Objects.requireNonNull(data, "data");
        }
    }

    public record FlushBlocks(long id) implements SessionCommand
    {
    }

    public record WriteZeroesBlocks(long id, long lba, int blocks, boolean deallocate, boolean fua) implements SessionCommand
    {
    }

    public record DeallocateBlocks(long id, long lba, long blocks) implements SessionCommand
    {
    }

    /** What the client's reply actor receives. */
    public sealed interface ClientReply extends RemoteMessage permits Connected, Done, ReadData, Failed
    {
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
    public record Done(long id) implements ClientReply
    {
    }

    /** The read completed: {@code data} is what the device returned. */
    public record ReadData(long id, byte[] data) implements ClientReply
    {
        public ReadData
        {
            Objects.requireNonNull(data, "data");
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
    public record Failed(long id, FailureKind kind, int opcode, int status, String message) implements ClientReply
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
