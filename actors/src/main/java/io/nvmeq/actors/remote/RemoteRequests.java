package io.nvmeq.actors.remote;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import io.nvmeq.actors.remote.RemoteProtocol.Connected;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.ServiceCommand;
import io.nvmeq.actors.remote.RemoteProtocol.SessionCommand;
import io.nvmeq.engine.NvmeException;

/**
 * A client's requests in flight, by wire id: each one is answered exactly once, by whichever comes first of
 * its reply, its deadline, or the client's close ({@code remove} on the table decides). Shared by the
 * callers' threads (which send), the reply actor (which completes) and the link actor (which sweeps
 * deadlines and says which session is usable). A transfer larger than one message is sent as several
 * parts, all to the same session, and answered once when the last part is.
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

    private final Map<Long, Part> parts = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong lateReplies = new AtomicLong();
    private final AtomicLong sessionsOpened = new AtomicLong();
    private final long timeoutNanos;
    private final String where;
    private volatile Session session;
    private volatile boolean closed;

    RemoteRequests(final long timeoutNanos, final String where)
    {
        this.timeoutNanos = timeoutNanos;
        this.where = where;
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
    CompletableFuture<Void> send(final Session to, final int count, final IntLongFunction<SessionCommand> message,
        final ByteBuffer target, final int position, final int partBytes, final boolean mutates, final String what)
    {
        final Transfer transfer = new Transfer(count, target, mutates, what);
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
            to.ref().tell(message.apply(i, id));
        }
        return transfer.future;
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

    void readData(final long id, final byte[] data)
    {
        final Part part = parts.remove(id);
        if (part == null)
        {
            lateReplies.incrementAndGet();
            return;
        }
        part.transfer.target.put(part.position, data);
        part.transfer.partDone(null);
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

    /** One caller's request: completes once, when its last part is answered. */
    private static final class Transfer
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final AtomicInteger remaining;
        final AtomicInteger succeeded = new AtomicInteger();
        final int count;
        final ByteBuffer target;
        final boolean mutates;
        final String what;
        volatile NvmeException error;

        Transfer(final int count, final ByteBuffer target, final boolean mutates, final String what)
        {
            this.remaining = new AtomicInteger(count);
            this.count = count;
            this.target = target;
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
