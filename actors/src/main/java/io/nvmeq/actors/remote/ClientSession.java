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
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;

/**
 * The server's end of one client's session: every request goes to the same queue pair, in arrival order
 * (Akka keeps the order of messages between two actors), and its completion is answered to the client from
 * the queue pair's thread. The session stops when the client's actor system goes away.
 */
final class ClientSession
{
    private ClientSession()
    {
    }

    /**
     * @param queue     the server's queue pair for this client
     * @param nsid      the namespace the session serves
     * @param blockSize that namespace's logical block size
     * @param maxBytes  the most data one request may carry (the client splits larger transfers)
     * @param readOnly  refuse writes, write-zeroes and deallocates
     */
    static Behavior<SessionCommand> create(final NvmeqQueue queue, final int nsid, final int blockSize,
        final int maxBytes, final boolean readOnly, final ActorRef<ClientReply> client)
    {
        return Behaviors.<SessionCommand>setup(context ->
        {
            context.watch(client);
            return Behaviors.receive(SessionCommand.class)
                .onMessage(ReadBlocks.class, read ->
                {
                    final long bytes = (long)read.blocks() * blockSize;
                    if (read.blocks() < 1 || bytes > maxBytes)
                    {
                        client.tell(invalid(read.id(), read.blocks() + " blocks per read is outside 1.." + maxBytes / blockSize));
                        return Behaviors.same();
                    }
                    final byte[] data = new byte[(int)bytes];
                    queue.read(nsid, read.lba(), read.blocks(), ByteBuffer.wrap(data))
                        .whenComplete((ignored, error) ->
                            client.tell(error == null ? new ReadData(read.id(), data) : RemoteFailures.toFailed(read.id(), error)));
                    return Behaviors.same();
                })
                .onMessage(WriteBlocks.class, write ->
                {
                    if (readOnly)
                    {
                        client.tell(readOnly(write.id()));
                    }
                    else if ((long)write.blocks() * blockSize != write.data().length)
                    {
                        client.tell(invalid(write.id(), write.blocks() + " blocks of " + blockSize + " bytes with " +
                            write.data().length + " bytes of data"));
                    }
                    else
                    {
                        answer(write.id(), queue.write(nsid, write.lba(), write.blocks(), ByteBuffer.wrap(write.data()),
                            write.fua()), client);
                    }
                    return Behaviors.same();
                })
                .onMessage(FlushBlocks.class, flush ->
                {
                    answer(flush.id(), queue.flush(nsid), client);
                    return Behaviors.same();
                })
                .onMessage(WriteZeroesBlocks.class, zeroes ->
                {
                    if (readOnly)
                    {
                        client.tell(readOnly(zeroes.id()));
                    }
                    else
                    {
                        answer(zeroes.id(), queue.writeZeroes(nsid, zeroes.lba(), zeroes.blocks(), zeroes.deallocate(),
                            zeroes.fua()), client);
                    }
                    return Behaviors.same();
                })
                .onMessage(DeallocateBlocks.class, deallocate ->
                {
                    if (readOnly)
                    {
                        client.tell(readOnly(deallocate.id()));
                    }
                    else
                    {
                        answer(deallocate.id(), queue.deallocate(nsid, deallocate.lba(), deallocate.blocks()), client);
                    }
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, gone -> Behaviors.stopped())
                .build();
        });
    }

    private static void answer(final long id, final CompletionStage<Void> stage, final ActorRef<ClientReply> client)
    {
        stage.whenComplete((ignored, error) -> client.tell(error == null ? new Done(id) : RemoteFailures.toFailed(id, error)));
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
