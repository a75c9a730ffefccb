package io.nvmeq.actors.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.remote.RemoteProtocol.Answer;
import io.nvmeq.actors.remote.RemoteProtocol.Answers;
import io.nvmeq.actors.remote.RemoteProtocol.ClientReply;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;

/**
 * A session's answers on their way to its client: completions come from the queue pair's thread (and
 * refusals from the session), and the server node's thread sends whatever has gathered when it gets to it,
 * as one {@link Answers} message (up to {@code max-message-bytes} of read data, {@link RemoteRequests#FIELD_BYTES}
 * of fields and {@link RemoteRequests#MAX_BATCH} answers). Nothing waits to fill a batch: a lone answer goes at
 * once; what completes while the node's thread is busy goes together next. Answers leave in the order they were
 * added.
 */
final class AnswerBatches
{
    private final ActorRef<ClientReply> client;
    private final Executor nodeThread;
    private final int maxMessageBytes;
    private final Queue<Answer> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    AnswerBatches(final ActorRef<ClientReply> client, final Executor nodeThread, final int maxMessageBytes)
    {
        this.client = client;
        this.nodeThread = nodeThread;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** From any thread. */
    void add(final Answer answer)
    {
        ready.offer(answer);
        if (scheduled.compareAndSet(false, true))
        {
            try
            {
                nodeThread.execute(drain);
            }
            catch (final RuntimeException ex)
            {
                // The node is stopping: send from here (Artery drops what it can no longer deliver).
                drain();
            }
        }
    }

    private synchronized void drain()
    {
        scheduled.set(false);
        List<Answer> batch = new ArrayList<>();
        int data = 0;
        int fields = 0;
        Answer next;
        while ((next = ready.poll()) != null)
        {
            final int size = next instanceof ReadData read ? read.data().length() : 0;
            // A failure's text is a field too, at most three bytes a char in UTF-8.
            final int fieldSize = RemoteRequests.ENTRY_BYTES +
                (next instanceof Failed failed ? 3 * failed.message().length() : 0);
            if (!batch.isEmpty() && (data + size > maxMessageBytes || fields + fieldSize > RemoteRequests.FIELD_BYTES ||
                batch.size() == RemoteRequests.MAX_BATCH))
            {
                tell(batch);
                batch = new ArrayList<>();
                data = 0;
                fields = 0;
            }
            batch.add(next);
            data += size;
            fields += fieldSize;
        }
        if (!batch.isEmpty())
        {
            tell(batch);
        }
    }

    private void tell(final List<Answer> batch)
    {
        client.tell(batch.size() == 1 ? batch.get(0) : new Answers(batch));
    }
}
