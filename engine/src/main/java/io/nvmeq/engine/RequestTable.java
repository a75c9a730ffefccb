package io.nvmeq.engine;

import io.nvmeq.hw.spec.Status;

/**
 * The requests of one queue pair, pre-allocated: each request (one submit call, one answer) has its
 * handler, token and attachment (the caller's own object for the request, handed back with the answer:
 * the caller keeps no second table), the number of its commands still outstanding, its first error, and the temporary
 * IOVA mapping it holds. A request is answered once, when its last command is done. Confined to the
 * queue pair's owner thread; acquire and release are O(1) and allocate nothing.
 */
final class RequestTable
{
    private final CompletionHandler<?>[] handlers;
    private final long[] tokens;
    private final Object[] attachments;
    private final int[] partsLeft;
    private final int[] statuses;
    private final long[] temporaryIovas;
    /** The DmaBuffer or registration each request holds open until it is answered (see MappedMemory). */
    private final MappedMemory[] buffers;
    private final int[] free;
    private int freeCount;

    RequestTable(final int capacity)
    {
        handlers = new CompletionHandler[capacity];
        tokens = new long[capacity];
        attachments = new Object[capacity];
        partsLeft = new int[capacity];
        statuses = new int[capacity];
        temporaryIovas = new long[capacity];
        buffers = new MappedMemory[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** A request of {@code parts} commands; the caller has checked that command ids are free (as many as requests). */
    int begin(
        final CompletionHandler<?> handler, final long token, final Object attachment, final int parts,
        final long temporaryIova)
    {
        final int request = free[--freeCount];
        handlers[request] = handler;
        tokens[request] = token;
        attachments[request] = attachment;
        partsLeft[request] = parts;
        statuses[request] = Status.SUCCESS;
        temporaryIovas[request] = temporaryIova;
        return request;
    }

    /**
     * One of the request's commands is done with {@code status} (the first error is kept).
     *
     * @return true if it was the last one: then {@link #temporaryIova} and {@link #answer} follow
     */
    boolean partDone(final int request, final int status)
    {
        if (!Status.isSuccess(status) && statuses[request] == Status.SUCCESS)
        {
            statuses[request] = status;
        }
        return --partsLeft[request] == 0;
    }

    /** The request holds {@code buffer} (acquired) until it is answered. */
    void hold(final int request, final MappedMemory buffer)
    {
        buffers[request] = buffer;
    }

    long temporaryIova(final int request)
    {
        return temporaryIovas[request];
    }

    /**
     * Frees the request and lets go of its buffer, then calls its handler (which may submit into the freed
     * slots) with the token and attachment given at submission (their types match: see QueuePair's submits).
     */
    @SuppressWarnings("unchecked")
    void answer(final int request)
    {
        final MappedMemory pinned = buffers[request];
        if (pinned != null)
        {
            buffers[request] = null;
            pinned.release();
        }
        final CompletionHandler<Object> handler = (CompletionHandler<Object>)handlers[request];
        final long token = tokens[request];
        final Object attachment = attachments[request];
        final int status = statuses[request];
        handlers[request] = null;
        attachments[request] = null;
        free[freeCount++] = request;
        handler.onCompletion(token, attachment, status);
    }

    /** Requests begun and not yet answered. */
    int inUse()
    {
        return handlers.length - freeCount;
    }
}
