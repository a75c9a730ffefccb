package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.Request;
import io.nvmeq.actors.remote.RemoteProtocol.Requests;
import io.nvmeq.actors.remote.RemoteProtocol.ServiceCommand;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.engine.NvmeException;

/**
 * A client's requests in flight, by wire id: each one is answered exactly once, by whichever comes first of
 * its reply, its deadline, or the client's close ({@code remove} on the table decides). Shared by the
 * callers' threads (which send), the node's thread (which sends on the wire, and takes the answers as
 * {@link RemoteSerializer} reads them) and the link actor (which sweeps deadlines and says which session is
 * usable). A transfer larger than one message is sent as several parts, all to the same session, and
 * answered once when the last part is.
 *
 * <p><b>Batches.</b> A request is not told to the session by its caller: it joins an outbox, and the node's
 * thread sends what the outbox holds when it gets to it, as one {@link Requests} message per session (up to
 * {@code max-message-bytes} of data), like one doorbell write for all the entries made ready at once. It never
 * waits for a batch to fill: a lone request goes at once, and what callers add while the node's thread is busy
 * (at depth, the callbacks of the answers it is delivering) goes together in the next batch. A request
 * answered before its batch went (its deadline, a close) is left out of it, so it was not sent.
 */
final class RemoteRequests
{
    /** The session requests go to now, or none: then a request is refused without being sent. */
    record Session(ActorRef<SessionCommand> ref, ActorRef<ServiceCommand> service, Connected connected)
    {
        Address address()
        {
            return ref.path().address();
        }
    }

    /** A batch's entries beyond their data: a bound on the bytes of a request's fields on the wire. */
    static final int ENTRY_BYTES = 32;
    /** Entries per batch at most (a frame of reads stays small, a slow server is not flooded in one message). */
    static final int MAX_BATCH = 256;
    /**
     * The bytes a batch's fields (and a failure's text) may take beside its {@code max-message-bytes} of data: a
     * frame then stays under Artery's 256 KiB with the largest setting (192 KiB). Counted apart from the data, so
     * that a queue's worth of 4 KiB transfers (32 of them: 128 KiB, the default) goes in one message; counted in
     * one sum, their fields pushed the 32nd into a message of its own.
     */
    static final int FIELD_BYTES = 32 * 1024;

    private final Map<Long, Part> parts = new ConcurrentHashMap<>();
    private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Object draining = new Object();
    private final Runnable drain = this::drain;
    private final int maxMessageBytes;
    private volatile Executor sender = Runnable::run;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong lateReplies = new AtomicLong();
    private final AtomicLong sessionsOpened = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private final long timeoutNanos;
    private final String where;
    private volatile Session session;
    private volatile boolean closed;

    /** @param maxMessageBytes the most block data one message carries (a batch's bound) */
    RemoteRequests(final long timeoutNanos, final int maxMessageBytes, final String where)
    {
        this.timeoutNanos = timeoutNanos;
        this.maxMessageBytes = maxMessageBytes;
        this.where = where;
    }

    /** Batches are sent from {@code nodeThread} (the client node's dispatcher); until then, by the caller. */
    void sendOn(final Executor nodeThread)
    {
        sender = nodeThread;
    }

    Session session()
    {
        return session;
    }

    void session(final Session usable)
    {
        session = usable;
    }

    /** A session was opened (by the link). */
    void opened()
    {
        sessionsOpened.incrementAndGet();
    }

    long sessionsOpened()
    {
        return sessionsOpened.get();
    }

    String where()
    {
        return where;
    }

    /** Replies that came after their request was answered (by its deadline): dropped, counted. */
    long lateReplies()
    {
        return lateReplies.get();
    }

    int outstanding()
    {
        return parts.size();
    }

    /**
     * Sends a transfer of {@code count} parts to {@code to}, the i-th built by {@code message} from its id.
     *
     * @param target      the caller's buffer that read data goes to (absolute positions from {@code position}), or null
     * @param partBytes   bytes per part (the last may be shorter)
     * @param mutates     a write, write-zeroes or deallocate (said in an outcome-unknown error)
     */
    CompletableFuture<Void> send(final Session to, final int count, final IntLongFunction<Request> message,
        final ByteBuffer target, final int position, final int partBytes, final boolean mutates, final RequestLabel what)
    {
        final Transfer transfer = new Transfer(count, target, partBytes, mutates, what);
        final long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; i < count; i++)
        {
            final long id = ids.incrementAndGet();
            parts.put(id, new Part(transfer, position + i * partBytes, deadline));
            if (closed)
            {
                // close() may have swept the table before this part was added: answer it here.
                answer(id, new RemoteUnavailableException(where + " is closed: " + what + " was not sent"));
                continue;
            }
            outbox.offer(new Outgoing(to, message.apply(i, id)));
        }
        if (drainScheduled.compareAndSet(false, true))
        {
            try
            {
                sender.execute(drain);
            }
            catch (final RuntimeException ex)
            {
                // The node's dispatcher is gone (the actor system stopped): nothing of the outbox can be sent now.
                drainScheduled.set(false);
                refuseOutbox(ex.toString());
            }
        }
        return transfer.future;
    }

    /** On the node's thread: everything in the outbox, still unanswered, in batches per session, in order. */
    private void drain()
    {
        synchronized (draining)
        {
            drainScheduled.set(false);
            Session batchTo = null;
            List<Request> batch = new ArrayList<>();
            int data = 0;
            Outgoing next;
            while ((next = outbox.poll()) != null)
            {
                if (!parts.containsKey(next.request().id()))
                {
                    continue;   // answered already (its deadline, a close): it stays unsent
                }
                final int size = next.request() instanceof WriteBlocks write ? write.data().length() : 0;
                // Fields are ENTRY_BYTES each: MAX_BATCH of them stay within FIELD_BYTES.
                if (!batch.isEmpty() && (next.to() != batchTo || data + size > maxMessageBytes || batch.size() == MAX_BATCH))
                {
                    tell(batchTo, batch);
                    batch = new ArrayList<>();
                    data = 0;
                }
                batchTo = next.to();
                batch.add(next.request());
                data += size;
            }
            if (!batch.isEmpty())
            {
                tell(batchTo, batch);
            }
        }
    }

    private void tell(final Session to, final List<Request> batch)
    {
        to.ref().tell(batch.size() == 1 ? batch.get(0) : new Requests(batch));
        messagesSent.incrementAndGet();
        requestsSent.addAndGet(batch.size());
    }

    /** Messages sent to sessions so far (a batch counts once). */
    long messagesSent()
    {
        return messagesSent.get();
    }

    /** Requests (parts) sent to sessions so far. */
    long requestsSent()
    {
        return requestsSent.get();
    }

    private void refuseOutbox(final String why)
    {
        Outgoing next;
        while ((next = outbox.poll()) != null)
        {
            answer(next.request().id(), new RemoteUnavailableException(where + " could not send a request (" + why +
                "): nothing was sent"));
        }
    }

    /** A part's reply came: done, or failed as the server said. */
    void done(final long id)
    {
        final Part part = parts.remove(id);
        if (part == null)
        {
            lateReplies.incrementAndGet();
            return;
        }
        part.transfer.partDone(null);
    }

    /**
     * A part's read data, {@code length} bytes at {@code frame}'s position (which moves past them): copied
     * straight into the caller's buffer, unless the part was answered already (then the data is skipped).
     */
    void readData(final long id, final ByteBuffer frame, final int length)
    {
        final int from = frame.position();
        frame.position(from + length);
        final Part part = parts.remove(id);
        if (part == null)
        {
            lateReplies.incrementAndGet();
            return;
        }
        final Transfer transfer = part.transfer;
        if (transfer.target == null || length > transfer.partBytes || part.position + length > transfer.target.limit())
        {
            transfer.partDone(new RemoteOutcomeUnknownException(where + " answered the " + transfer.what + " with " +
                length + " bytes, more than the part asked for: its data was dropped"));
            return;
        }
        transfer.target.put(part.position, frame, from, length);
        transfer.partDone(null);
    }

    void failed(final Failed failed)
    {
        final Part part = parts.remove(failed.id());
        if (part == null)
        {
            lateReplies.incrementAndGet();
            return;
        }
        part.transfer.partDone(RemoteFailures.toException(failed, where));
    }

    /** Answers every part past its deadline with an outcome unknown. */
    void sweep(final long now)
    {
        for (final Map.Entry<Long, Part> entry : parts.entrySet())
        {
            final Part part = entry.getValue();
            if (now - part.deadline >= 0 && parts.remove(entry.getKey(), part))
            {
                part.transfer.partDone(new RemoteOutcomeUnknownException(part.transfer.what + " got no answer from " + where +
                    " within " + timeoutNanos / 1_000_000 + " ms: its outcome is unknown" +
                    (part.transfer.mutates ? " (the write may or may not be on the media)" : "")));
            }
        }
    }

    /** From now on every request is refused; those in flight are answered with an outcome unknown. */
    void close()
    {
        closed = true;
        session = null;
        synchronized (draining)
        {
            // Under the drain's lock: what is still in the outbox now was surely not sent.
            refuseOutbox("the client was closed");
        }
        for (final Map.Entry<Long, Part> entry : parts.entrySet())
        {
            final Part part = entry.getValue();
            if (parts.remove(entry.getKey(), part))
            {
                part.transfer.partDone(new RemoteOutcomeUnknownException("the client of " + where + " was closed before " +
                    part.transfer.what + " was answered: its outcome is unknown"));
            }
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    private void answer(final long id, final NvmeException error)
    {
        final Part part = parts.remove(id);
        if (part != null)
        {
            part.transfer.partDone(error);
        }
    }

    /** A function of a part's index and id. */
    @FunctionalInterface
    interface IntLongFunction<R>
    {
        R apply(int index, long id);
    }

    private record Part(Transfer transfer, int position, long deadline)
    {
    }

    /** A request waiting in the outbox for its batch. */
    private record Outgoing(Session to, Request request)
    {
    }

    /** One caller's request: completes once, when its last part is answered. */
    private static final class Transfer
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final AtomicInteger remaining;
        final AtomicInteger succeeded = new AtomicInteger();
        final int count;
        final ByteBuffer target;
        final int partBytes;
        final boolean mutates;
        final RequestLabel what;
        volatile NvmeException error;

        Transfer(final int count, final ByteBuffer target, final int partBytes, final boolean mutates,
            final RequestLabel what)
        {
            this.remaining = new AtomicInteger(count);
            this.count = count;
            this.target = target;
            this.partBytes = partBytes;
            this.mutates = mutates;
            this.what = what;
        }

        void partDone(final NvmeException partError)
        {
            if (partError == null)
            {
                succeeded.incrementAndGet();
            }
            else
            {
                synchronized (this)
                {
                    // An unknown outcome outweighs a refusal: the answer must not claim less happened than may have.
                    if (error == null || partError instanceof RemoteOutcomeUnknownException)
                    {
                        error = partError;
                    }
                }
            }
            if (remaining.decrementAndGet() != 0)
            {
                return;
            }
            final NvmeException failure = error;
            if (failure == null)
            {
                future.complete(null);
            }
            else if (succeeded.get() > 0 && mutates && !(failure instanceof RemoteOutcomeUnknownException))
            {
                future.completeExceptionally(new RemoteOutcomeUnknownException(what + ": " + succeeded.get() + " of " +
                    count + " parts were done, the others failed, so the blocks are partly written: " + failure.getMessage()));
            }
            else
            {
                future.completeExceptionally(failure);
            }
        }
    }
}
