package io.nvmeq.actors.remote;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.ByteBufferSerializer;
import akka.serialization.SerializerWithStringManifest;
import io.nvmeq.actors.remote.RemoteProtocol.Answer;
import io.nvmeq.actors.remote.RemoteProtocol.Answers;
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
import io.nvmeq.actors.remote.RemoteProtocol.Request;
import io.nvmeq.actors.remote.RemoteProtocol.Requests;
import io.nvmeq.actors.remote.RemoteProtocol.RestartServer;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.IdentifyBytes;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The wire format of {@link RemoteProtocol}: fixed-width big-endian fields, one-letter manifests, block data
 * as raw bytes. A batch ({@link Requests}, {@link Answers}) is a count, then each entry as a one-byte kind and
 * the entry's own fields. The data path messages have no variable part but the data.
 *
 * <p>As a {@link ByteBufferSerializer}, Artery has it write straight into its send buffer and read straight
 * from its receive buffer, and block data moves once between a frame and where it is used: on a server a
 * write's data goes from the frame into a lease of the node's {@link DmaBlockPool} (which the device reads),
 * a read's from the lease the device wrote into the frame (and the lease goes back); on a client the answers
 * of a batch are taken as they are read ({@link RemoteRequests}): read data goes from the frame into the
 * caller's buffer, each request completes, and the message left for the reply actor is an empty batch.
 * Without the node's state (a plain actor system, a test) the data is read into heap arrays instead.
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
    private static final String REQUESTS = "B";
    private static final String ANSWERS = "A";

    private static final FailureKind[] KINDS = FailureKind.values();

    private static final Answers TAKEN = new Answers(List.of());

    private final ActorRefResolver resolver;
    private final RemoteEndpoint endpoint;

    public RemoteSerializer(final ExtendedActorSystem system)
    {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.endpoint = RemoteEndpoint.get(system);
    }

    @Override
    public int identifier()
    {
        return IDENTIFIER;
    }

    @Override
    public String manifest(final Object message)
    {
        if (message instanceof Requests)
        {
            return REQUESTS;
        }
        if (message instanceof Answers)
        {
            return ANSWERS;
        }
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
        if (message instanceof Requests batch)
        {
            int size = 4;
            for (final Request request : batch.requests())
            {
                size += 1 + size(request);
            }
            return size;
        }
        if (message instanceof Answers batch)
        {
            int size = 4;
            for (final Answer answer : batch.answers())
            {
                size += 1 + size(answer);
            }
            return size;
        }
        if (message instanceof ReadBlocks)
        {
            return 8 + 8 + 4;
        }
        if (message instanceof WriteBlocks write)
        {
            return 8 + 8 + 4 + 1 + 4 + write.data().length();
        }
        if (message instanceof Done)
        {
            return 8;
        }
        if (message instanceof ReadData read)
        {
            return 8 + 4 + read.data().length();
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
        if (message instanceof Requests batch)
        {
            buffer.putInt(batch.requests().size());
            for (final Request request : batch.requests())
            {
                buffer.put(kind(request));
                toBinary(request, buffer);
            }
        }
        else if (message instanceof Answers batch)
        {
            buffer.putInt(batch.answers().size());
            for (final Answer answer : batch.answers())
            {
                buffer.put(kind(answer));
                toBinary(answer, buffer);
            }
        }
        else if (message instanceof ReadBlocks read)
        {
            buffer.putLong(read.id()).putLong(read.lba()).putInt(read.blocks());
        }
        else if (message instanceof WriteBlocks write)
        {
            buffer.putLong(write.id()).putLong(write.lba()).putInt(write.blocks()).put(flag(write.fua()))
                .putInt(write.data().length());
            write.data().copyTo(buffer);
        }
        else if (message instanceof Done done)
        {
            buffer.putLong(done.id());
        }
        else if (message instanceof ReadData read)
        {
            buffer.putLong(read.id()).putInt(read.data().length());
            read.data().copyTo(buffer);
            if (read.data() instanceof DmaBlockPool.Lease lease)
            {
                lease.release();    // the data is in the frame: the pages may take the next request's
            }
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
                case REQUESTS -> requests(buffer);
                case ANSWERS -> answers(buffer);
                case READ -> readBlocks(buffer);
                case WRITE -> writeBlocks(buffer);
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

    private byte kind(final Object entry)
    {
        return (byte)manifest(entry).charAt(0);
    }

    private Requests requests(final ByteBuffer buffer)
    {
        final int count = count(buffer);
        final Request[] requests = new Request[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                final byte kind = buffer.get();
                requests[i] = switch (kind)
                {
                    case 'R' -> readBlocks(buffer);
                    case 'W' -> writeBlocks(buffer);
                    case 'F' -> new FlushBlocks(buffer.getLong());
                    case 'Z' -> new WriteZeroesBlocks(buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.get() != 0,
                        buffer.get() != 0);
                    case 'D' -> new DeallocateBlocks(buffer.getLong(), buffer.getLong(), buffer.getLong());
                    default -> throw new IllegalArgumentException("unknown request kind " + kind + " in a batch");
                };
            }
        }
        catch (final RuntimeException ex)
        {
            // The batch is refused as a whole: the leases its writes took go back.
            for (final Request request : requests)
            {
                if (request instanceof WriteBlocks write && write.data() instanceof DmaBlockPool.Lease lease)
                {
                    lease.release();
                }
            }
            throw ex;
        }
        return new Requests(Arrays.asList(requests));
    }

    private static ReadBlocks readBlocks(final ByteBuffer buffer)
    {
        return new ReadBlocks(buffer.getLong(), buffer.getLong(), buffer.getInt());
    }

    /** On a server, the data goes into a lease of its DMA buffers (or is skipped when none is free). */
    private WriteBlocks writeBlocks(final ByteBuffer buffer)
    {
        final long id = buffer.getLong();
        final long lba = buffer.getLong();
        final int blocks = buffer.getInt();
        final boolean fua = buffer.get() != 0;
        final int length = length(buffer);
        final DmaBlockPool pool = endpoint.pool();
        if (pool == null)
        {
            final byte[] data = new byte[length];
            buffer.get(data);
            return new WriteBlocks(id, lba, blocks, fua, data);
        }
        final DmaBlockPool.Lease lease = pool.lease(length);
        if (lease == null)
        {
            buffer.position(buffer.position() + length);
            return new WriteBlocks(id, lba, blocks, fua, new BlockData.Missing(length));
        }
        lease.copyFrom(buffer);
        return new WriteBlocks(id, lba, blocks, fua, lease);
    }

    /**
     * On a client, each answer is taken here: read data straight into the caller's buffer, the request completed
     * (see the class comment); the reply actor gets an empty batch.
     */
    private Answers answers(final ByteBuffer buffer)
    {
        final int count = count(buffer);
        final RemoteRequests requests = endpoint.requests();
        final Answer[] answers = requests == null ? new Answer[count] : null;
        for (int i = 0; i < count; i++)
        {
            final byte kind = buffer.get();
            final long id = buffer.getLong();
            switch (kind)
            {
                case 'd' ->
                {
                    if (requests == null)
                    {
                        answers[i] = new Done(id);
                    }
                    else
                    {
                        requests.done(id);
                    }
                }
                case 'r' ->
                {
                    if (requests == null)
                    {
                        answers[i] = new ReadData(id, bytes(buffer));
                    }
                    else
                    {
                        requests.readData(id, buffer, length(buffer));
                    }
                }
                case 'f' ->
                {
                    final Failed failed = new Failed(id, kind(buffer.get()), buffer.getInt(), buffer.getInt(), getString(buffer));
                    if (requests == null)
                    {
                        answers[i] = failed;
                    }
                    else
                    {
                        requests.failed(failed);
                    }
                }
                default -> throw new IllegalArgumentException("unknown answer kind " + kind + " in a batch");
            }
        }
        return requests == null ? new Answers(Arrays.asList(answers)) : TAKEN;
    }

    private static int count(final ByteBuffer buffer)
    {
        final int count = buffer.getInt();
        // Every entry takes at least 9 bytes: a count beyond that is a corrupt frame, not an allocation to make.
        if (count < 0 || (long)count * 9 > buffer.remaining())
        {
            throw new IllegalArgumentException("batch of " + count + " with " + buffer.remaining() + " bytes left");
        }
        return count;
    }

    private static int length(final ByteBuffer buffer)
    {
        final int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining())
        {
            throw new IllegalArgumentException("data length " + length + " with " + buffer.remaining() + " bytes left");
        }
        return length;
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
        final int length = length(buffer);
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
