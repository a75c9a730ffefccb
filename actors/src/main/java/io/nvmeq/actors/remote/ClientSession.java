package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.NvmeqQueue;
import io.nvmeq.actors.remote.RemoteProtocol.ClientReply;
import io.nvmeq.actors.remote.RemoteProtocol.DeallocateBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.Done;
import io.nvmeq.actors.remote.RemoteProtocol.FailureKind;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.FlushBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;
import io.nvmeq.actors.remote.RemoteProtocol.Request;
import io.nvmeq.actors.remote.RemoteProtocol.Requests;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;

/**
 * The server's end of one client's session: every request goes to the same queue pair, in arrival order
 * (Akka keeps the order of messages between two actors, and a batch's requests are taken in its order), and
 * each is answered once, through the session's {@link AnswerBatches}: a request of a batch that is refused
 * (invalid, read-only, no DMA buffer free) gets its own refusal while the others run. Block data lives in the
 * node's {@link DmaBlockPool}: the device reads a write's data where it was deserialized and writes a read's
 * where it is serialized from. Reads and writes go to the node thread's own queue pair where there is one
 * ({@link NodeIo}), else (and always flush, write-zeroes and deallocate) to the session's queue pair actor;
 * requests of one client keep their order on either. The session stops when the client's actor system goes away.
 */
final class ClientSession
{
    private final NvmeqQueue queue;
    private final int nsid;
    private final int blockSize;
    private final int maxBytes;
    private final boolean readOnly;
    private final NodeIo io;
    private final DmaBlockPool pool;
    private final AnswerBatches answers;

    private ClientSession(final NvmeqQueue queue, final int nsid, final int blockSize, final int maxBytes,
        final boolean readOnly, final NodeIo io, final AnswerBatches answers)
    {
        this.io = io;
        this.queue = queue;
        this.nsid = nsid;
        this.blockSize = blockSize;
        this.maxBytes = maxBytes;
        this.readOnly = readOnly;
        this.pool = io == null ? null : io.pool();
        this.answers = answers;
    }

    /**
     * @param queue     the server's queue pair for this client
     * @param nsid      the namespace the session serves
     * @param blockSize that namespace's logical block size
     * @param maxBytes  the most data one request may carry (the client splits larger transfers)
     * @param readOnly  refuse writes, write-zeroes and deallocates
     * @param io        the node's DMA buffers and queue pair, or null to use heap arrays (bounced by the queue pair)
     */
    static Behavior<SessionCommand> create(final NvmeqQueue queue, final int nsid, final int blockSize,
        final int maxBytes, final boolean readOnly, final NodeIo io, final ActorRef<ClientReply> client)
    {
        return Behaviors.<SessionCommand>setup(context ->
        {
            context.watch(client);
            final ClientSession session = new ClientSession(queue, nsid, blockSize, maxBytes, readOnly, io,
                new AnswerBatches(client, context.getSystem().executionContext(), maxBytes));
            return Behaviors.receive(SessionCommand.class)
                .onMessage(Requests.class, batch ->
                {
                    for (final Request request : batch.requests())
                    {
                        session.handle(request);
                    }
                    return Behaviors.same();
                })
                .onMessage(Request.class, request ->
                {
                    session.handle(request);
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, gone -> Behaviors.stopped())
                .build();
        });
    }

    private void handle(final Request request)
    {
        if (request instanceof ReadBlocks read)
        {
            read(read);
        }
        else if (request instanceof WriteBlocks write)
        {
            write(write);
        }
        else if (request instanceof FlushBlocks flush)
        {
            answer(flush.id(), queue.flush(nsid));
        }
        else if (request instanceof WriteZeroesBlocks zeroes)
        {
            if (readOnly)
            {
                answers.add(readOnly(zeroes.id()));
                return;
            }
            answer(zeroes.id(), queue.writeZeroes(nsid, zeroes.lba(), zeroes.blocks(), zeroes.deallocate(), zeroes.fua()));
        }
        else if (request instanceof DeallocateBlocks deallocate)
        {
            if (readOnly)
            {
                answers.add(readOnly(deallocate.id()));
                return;
            }
            answer(deallocate.id(), queue.deallocate(nsid, deallocate.lba(), deallocate.blocks()));
        }
    }

    private void read(final ReadBlocks read)
    {
        final long bytes = (long)read.blocks() * blockSize;
        if (read.blocks() < 1 || bytes > maxBytes)
        {
            answers.add(invalid(read.id(), read.blocks() + " blocks per read is outside 1.." + maxBytes / blockSize));
            return;
        }
        if (pool == null)
        {
            final byte[] data = new byte[(int)bytes];
            queue.read(nsid, read.lba(), read.blocks(), ByteBuffer.wrap(data)).whenComplete((ignored, error) ->
                answers.add(error == null ? new ReadData(read.id(), data) : RemoteFailures.toFailed(read.id(), error)));
            return;
        }
        final DmaBlockPool.Lease lease = pool.lease((int)bytes);
        if (lease == null)
        {
            answers.add(noBuffer(read.id(), "read"));
            return;
        }
        // The lease goes back once the data is serialized (or at once if the read failed).
        CompletionStage<Void> stage = io.read(nsid, read.lba(), read.blocks(), lease.buffer(), lease.offset());
        if (stage == null)
        {
            stage = queue.read(nsid, read.lba(), read.blocks(), lease.buffer(), lease.offset());
        }
        stage.whenComplete((ignored, error) ->
        {
            if (error == null)
            {
                answers.add(new ReadData(read.id(), lease));
            }
            else
            {
                lease.release();
                answers.add(RemoteFailures.toFailed(read.id(), error));
            }
        });
    }

    private void write(final WriteBlocks write)
    {
        final BlockData data = write.data();
        if (readOnly || data instanceof BlockData.Missing || (long)write.blocks() * blockSize != data.length())
        {
            if (data instanceof DmaBlockPool.Lease lease)
            {
                lease.release();
            }
            answers.add(readOnly ? readOnly(write.id())
                : data instanceof BlockData.Missing ? noBuffer(write.id(), "write")
                : invalid(write.id(), write.blocks() + " blocks of " + blockSize + " bytes with " + data.length() +
                    " bytes of data"));
            return;
        }
        if (data instanceof DmaBlockPool.Lease lease)
        {
            CompletionStage<Void> stage = io.write(nsid, write.lba(), write.blocks(), lease.buffer(), lease.offset(),
                write.fua());
            if (stage == null)
            {
                stage = queue.write(nsid, write.lba(), write.blocks(), lease.buffer(), lease.offset(), write.fua());
            }
            stage.whenComplete((ignored, error) ->
                {
                    lease.release();
                    answers.add(error == null ? new Done(write.id()) : RemoteFailures.toFailed(write.id(), error));
                });
            return;
        }
        answer(write.id(), queue.write(nsid, write.lba(), write.blocks(), ByteBuffer.wrap(((BlockData.Bytes)data).bytes()),
            write.fua()));
    }

    private void answer(final long id, final CompletionStage<Void> stage)
    {
        stage.whenComplete((ignored, error) -> answers.add(error == null ? new Done(id) : RemoteFailures.toFailed(id, error)));
    }

    private Failed noBuffer(final long id, final String what)
    {
        return new Failed(id, FailureKind.REFUSED, 0, 0, "no DMA buffer of the server was free for the " + what + " (" +
            pool.pages() + " pages of " + DmaBlockPool.PAGE + " bytes, all in use): nothing was sent to the device");
    }

    private static Failed readOnly(final long id)
    {
        return new Failed(id, FailureKind.INVALID, 0, 0, "the namespace is served read-only");
    }

    private static Failed invalid(final long id, final String message)
    {
        return new Failed(id, FailureKind.INVALID, 0, 0, message);
    }
}
