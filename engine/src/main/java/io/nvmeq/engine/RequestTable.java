package io.nvmeq.engine;

import io.nvmeq.hw.spec.Status;

/**
 * The requests of one queue pair, pre-allocated: each request (one submit call, one answer) has its
 * handler and token, the number of its commands still outstanding, its first error, and the temporary
 * IOVA mapping it holds. A request is answered once, when its last command is done. Confined to the
 * queue pair's owner thread; acquire and release are O(1) and allocate nothing.
 */
final class RequestTable
{
    private final CompletionHandler[] handlers;
    private final long[] tokens;
    private final int[] partsLeft;
    private final int[] statuses;
    private final long[] temporaryIovas;
    /** The DmaBuffer each request holds open until it is answered (see DmaBuffer#acquire). */
    private final DmaBuffer[] buffers;
    private final int[] free;
    private int freeCount;

    private long submitted;
    private long completed;
    private long failed;

    RequestTable(final int capacity)
    {
        handlers = new CompletionHandler[capacity];
        tokens = new long[capacity];
        partsLeft = new int[capacity];
        statuses = new int[capacity];
        temporaryIovas = new long[capacity];
        buffers = new DmaBuffer[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** A request of {@code parts} commands; the caller has checked that command ids are free (as many as requests). */
    int begin(final CompletionHandler handler, final long token, final int parts, final long temporaryIova)
    {
        final int request = free[--freeCount];
        handlers[request] = handler;
        tokens[request] = token;
        partsLeft[request] = parts;
        statuses[request] = Status.SUCCESS;
        temporaryIovas[request] = temporaryIova;
        submitted++;
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
    void hold(final int request, final DmaBuffer buffer)
    {
        buffers[request] = buffer;
    }

    long temporaryIova(final int request)
    {
        return temporaryIovas[request];
    }

    /** Frees the request and lets go of its buffer, then calls its handler (which may submit into the freed slots). */
    void answer(final int request)
    {
        final DmaBuffer pinned = buffers[request];
        if (pinned != null)
        {
            buffers[request] = null;
            pinned.release();
        }
        final CompletionHandler handler = handlers[request];
        final long token = tokens[request];
        final int status = statuses[request];
        handlers[request] = null;
        free[freeCount++] = request;
        completed++;
        if (!Status.isSuccess(status))
        {
            failed++;
        }
        handler.onCompletion(token, status);
    }

    long submitted()
    {
        return submitted;
    }

    long completed()
    {
        return completed;
    }

    long failed()
    {
        return failed;
    }
}
