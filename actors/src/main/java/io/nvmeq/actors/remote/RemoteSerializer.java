package io.nvmeq.actors.remote;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.ByteBufferSerializer;
import akka.serialization.SerializerWithStringManifest;
import io.nvmeq.actors.remote.RemoteProtocol.ClientReply;
import io.nvmeq.actors.remote.RemoteProtocol.Connect;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.DeallocateBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.Done;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.FailureKind;
import io.nvmeq.actors.remote.RemoteProtocol.FlushBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;
import io.nvmeq.actors.remote.RemoteProtocol.RestartServer;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.IdentifyBytes;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The wire format of {@link RemoteProtocol}: fixed-width big-endian fields, one-letter manifests, block data
 * as raw bytes. As a {@link ByteBufferSerializer}, Artery has it write straight into its send buffer and read
 * straight from its receive buffer, so block data is copied once each way (caller's buffer to frame, frame
 * to the receiver's array). The data path messages have no variable part but the data.
 */
public final class RemoteSerializer extends SerializerWithStringManifest implements ByteBufferSerializer
{
    /** Unique among the serializers of the actor system (Akka reserves 0..40). */
    static final int IDENTIFIER = 7_315_015;

    private static final String CONNECT = "C";
    private static final String CONNECTED = "K";
    private static final String RESTART = "X";
    private static final String READ = "R";
    private static final String WRITE = "W";
    private static final String FLUSH = "F";
    private static final String WRITE_ZEROES = "Z";
    private static final String DEALLOCATE = "D";
    private static final String DONE = "d";
    private static final String READ_DATA = "r";
    private static final String FAILED = "f";

    private static final FailureKind[] KINDS = FailureKind.values();

    private final ActorRefResolver resolver;

    public RemoteSerializer(final ExtendedActorSystem system)
    {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier()
    {
        return IDENTIFIER;
    }

    @Override
    public String manifest(final Object message)
    {
        if (message instanceof ReadBlocks)
        {
            return READ;
        }
        if (message instanceof WriteBlocks)
        {
            return WRITE;
        }
        if (message instanceof Done)
        {
            return DONE;
        }
        if (message instanceof ReadData)
        {
            return READ_DATA;
        }
        if (message instanceof FlushBlocks)
        {
            return FLUSH;
        }
        if (message instanceof WriteZeroesBlocks)
        {
            return WRITE_ZEROES;
        }
        if (message instanceof DeallocateBlocks)
        {
            return DEALLOCATE;
        }
        if (message instanceof Failed)
        {
            return FAILED;
        }
        if (message instanceof Connect)
        {
            return CONNECT;
        }
        if (message instanceof Connected)
        {
            return CONNECTED;
        }
        if (message instanceof RestartServer)
        {
            return RESTART;
        }
        throw new IllegalArgumentException("not a remote nvmeq message: " + message.getClass().getName());
    }

    @Override
    public byte[] toBinary(final Object message)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(size(message));
        toBinary(message, buffer);
        return buffer.array();
    }

    @Override
    public Object fromBinary(final byte[] bytes, final String manifest) throws NotSerializableException
    {
        return fromBinary(ByteBuffer.wrap(bytes), manifest);
    }

    /** The exact size {@link #toBinary(Object, ByteBuffer)} writes. */
    int size(final Object message)
    {
        if (message instanceof ReadBlocks)
        {
            return 8 + 8 + 4;
        }
        if (message instanceof WriteBlocks write)
        {
            return 8 + 8 + 4 + 1 + 4 + write.data().length;
        }
        if (message instanceof Done)
        {
            return 8;
        }
        if (message instanceof ReadData read)
        {
            return 8 + 4 + read.data().length;
        }
        if (message instanceof FlushBlocks)
        {
            return 8;
        }
        if (message instanceof WriteZeroesBlocks)
        {
            return 8 + 8 + 4 + 2;
        }
        if (message instanceof DeallocateBlocks)
        {
            return 8 + 8 + 8;
        }
        if (message instanceof Failed failed)
        {
            return 8 + 1 + 4 + 4 + stringSize(failed.message());
        }
        if (message instanceof Connect connect)
        {
            return stringSize(resolver.toSerializationFormat(connect.client()));
        }
        if (message instanceof Connected connected)
        {
            return stringSize(resolver.toSerializationFormat(connected.session())) + controllerSize(connected.controller()) +
                namespaceSize(connected.namespace()) + 4 + 1;
        }
        if (message instanceof RestartServer)
        {
            return 0;
        }
        throw new IllegalArgumentException("not a remote nvmeq message: " + message.getClass().getName());
    }

    @Override
    public void toBinary(final Object message, final ByteBuffer buffer)
    {
        if (message instanceof ReadBlocks read)
        {
            buffer.putLong(read.id()).putLong(read.lba()).putInt(read.blocks());
        }
        else if (message instanceof WriteBlocks write)
        {
            buffer.putLong(write.id()).putLong(write.lba()).putInt(write.blocks()).put(flag(write.fua()))
                .putInt(write.data().length).put(write.data());
        }
        else if (message instanceof Done done)
        {
            buffer.putLong(done.id());
        }
        else if (message instanceof ReadData read)
        {
            buffer.putLong(read.id()).putInt(read.data().length).put(read.data());
        }
        else if (message instanceof FlushBlocks flush)
        {
            buffer.putLong(flush.id());
        }
        else if (message instanceof WriteZeroesBlocks zeroes)
        {
            buffer.putLong(zeroes.id()).putLong(zeroes.lba()).putInt(zeroes.blocks()).put(flag(zeroes.deallocate()))
                .put(flag(zeroes.fua()));
        }
        else if (message instanceof DeallocateBlocks deallocate)
        {
            buffer.putLong(deallocate.id()).putLong(deallocate.lba()).putLong(deallocate.blocks());
        }
        else if (message instanceof Failed failed)
        {
            buffer.putLong(failed.id()).put((byte)failed.kind().ordinal()).putInt(failed.opcode()).putInt(failed.status());
            putString(buffer, failed.message());
        }
        else if (message instanceof Connect connect)
        {
            putString(buffer, resolver.toSerializationFormat(connect.client()));
        }
        else if (message instanceof Connected connected)
        {
            putString(buffer, resolver.toSerializationFormat(connected.session()));
            putController(buffer, connected.controller());
            putNamespace(buffer, connected.namespace());
            buffer.putInt(connected.queue()).put(flag(connected.readOnly()));
        }
        else if (message instanceof RestartServer)
        {
            // no fields
        }
        else
        {
            throw new IllegalArgumentException("not a remote nvmeq message: " + message.getClass().getName());
        }
    }

    @Override
    public Object fromBinary(final ByteBuffer buffer, final String manifest) throws NotSerializableException
    {
        try
        {
            return switch (manifest)
            {
                case READ -> new ReadBlocks(buffer.getLong(), buffer.getLong(), buffer.getInt());
                case WRITE -> new WriteBlocks(buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.get() != 0,
                    bytes(buffer));
                case DONE -> new Done(buffer.getLong());
                case READ_DATA -> new ReadData(buffer.getLong(), bytes(buffer));
                case FLUSH -> new FlushBlocks(buffer.getLong());
                case WRITE_ZEROES -> new WriteZeroesBlocks(buffer.getLong(), buffer.getLong(), buffer.getInt(),
                    buffer.get() != 0, buffer.get() != 0);
                case DEALLOCATE -> new DeallocateBlocks(buffer.getLong(), buffer.getLong(), buffer.getLong());
                case FAILED -> new Failed(buffer.getLong(), kind(buffer.get()), buffer.getInt(), buffer.getInt(),
                    getString(buffer));
                case CONNECT -> new Connect(resolver.<ClientReply>resolveActorRef(getString(buffer)));
                case CONNECTED -> new Connected(resolver.<SessionCommand>resolveActorRef(getString(buffer)),
                    getController(buffer), getNamespace(buffer), buffer.getInt(), buffer.get() != 0);
                case RESTART -> new RestartServer();
                default -> throw new NotSerializableException("unknown remote nvmeq manifest '" + manifest + "'");
            };
        }
        catch (final RuntimeException ex)
        {
            // A truncated or corrupt frame: refuse it as Akka expects (the message is dropped and logged).
            final NotSerializableException refused = new NotSerializableException(
                "malformed remote nvmeq message '" + manifest + "': " + ex);
            refused.initCause(ex);
            throw refused;
        }
    }

    private static FailureKind kind(final byte ordinal)
    {
        return ordinal >= 0 && ordinal < KINDS.length ? KINDS[ordinal] : FailureKind.UNKNOWN;
    }

    private static byte flag(final boolean value)
    {
        return value ? (byte)1 : (byte)0;
    }

    private static byte[] bytes(final ByteBuffer buffer)
    {
        final int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining())
        {
            throw new IllegalArgumentException("data length " + length + " with " + buffer.remaining() + " bytes left");
        }
        final byte[] data = new byte[length];
        buffer.get(data);
        return data;
    }

    private static int stringSize(final String value)
    {
        return 4 + value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putString(final ByteBuffer buffer, final String value)
    {
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(utf8.length).put(utf8);
    }

    private static String getString(final ByteBuffer buffer)
    {
        return new String(bytes(buffer), StandardCharsets.UTF_8);
    }

    private static int controllerSize(final ControllerInfo c)
    {
        return 4 + stringSize(c.serial()) + stringSize(c.model()) + stringSize(c.firmware()) + stringSize(c.version()) +
            4 + 4 + 8 + 4 + 4 + 8 + 4 + 4 + 4 + 1 + 4 + 4 + c.identifyData().toArray().length;
    }

    private static void putController(final ByteBuffer buffer, final ControllerInfo c)
    {
        buffer.putInt(c.vendorId());
        putString(buffer, c.serial());
        putString(buffer, c.model());
        putString(buffer, c.firmware());
        putString(buffer, c.version());
        buffer.putInt(c.controllerId()).putInt(c.mdts()).putLong(c.maxTransferBytes()).putInt(c.maxQueueEntries())
            .putInt(c.doorbellStride()).putLong(c.readyTimeoutMillis()).putInt(c.pageSize()).putInt(c.namespaceCount())
            .putInt(c.grantedIoQueuePairs()).put(flag(c.volatileWriteCache())).putInt(c.oncs());
        final byte[] identify = c.identifyData().toArray();
        buffer.putInt(identify.length).put(identify);
    }

    private static ControllerInfo getController(final ByteBuffer buffer)
    {
        return new ControllerInfo(buffer.getInt(), getString(buffer), getString(buffer), getString(buffer),
            getString(buffer), buffer.getInt(), buffer.getInt(), buffer.getLong(), buffer.getInt(), buffer.getInt(),
            buffer.getLong(), buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.get() != 0, buffer.getInt(),
            IdentifyBytes.copyOf(bytes(buffer)));
    }

    private static int namespaceSize(final NamespaceInfo n)
    {
        return 4 + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 4 + 4 + n.identifyData().toArray().length;
    }

    private static void putNamespace(final ByteBuffer buffer, final NamespaceInfo n)
    {
        buffer.putInt(n.nsid()).putLong(n.blocks()).putLong(n.capacityBlocks()).putLong(n.utilizationBlocks())
            .putInt(n.blockSize()).putInt(n.lbaFormatIndex()).putInt(n.lbaFormatCount()).putInt(n.metadataSize())
            .putInt(n.relativePerformance());
        final byte[] identify = n.identifyData().toArray();
        buffer.putInt(identify.length).put(identify);
    }

    private static NamespaceInfo getNamespace(final ByteBuffer buffer)
    {
        return new NamespaceInfo(buffer.getInt(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getInt(),
            buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt(), IdentifyBytes.copyOf(bytes(buffer)));
    }
}
