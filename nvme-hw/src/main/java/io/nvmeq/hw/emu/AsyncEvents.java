package io.nvmeq.hw.emu;

import io.nvmeq.hw.spec.Status;

/**
 * Asynchronous Event Requests and the events they report (NVMe base spec 2.0 §5.2). The host keeps up
 * to {@link #LIMIT} requests outstanding; an event completes the oldest one with DW0 = log page (23:16),
 * event information (15:8) and event type (2:0). An event that finds no request waits for one (a few
 * are kept; more of the same kind are coalesced). Once an error event has been reported, further error
 * events are masked until the host reads the Error Information log with RAE cleared (§5.2.1).
 *
 * <p>Events come from any thread (an invalid doorbell write happens on the writer's thread); the
 * completion goes to the admin completion queue, into the slot the request reserved when it was fetched.
 */
final class AsyncEvents
{
    /** Asynchronous Event Request Limit, one-based (Identify AERL reports it zero-based). */
    static final int LIMIT = 4;
    static final int TYPE_ERROR = 0;
    /** Error status information: Write to Invalid Doorbell Register. */
    static final int INVALID_DOORBELL_REGISTER = 0x00;
    /** Error status information: Invalid Doorbell Write Value. */
    static final int INVALID_DOORBELL_VALUE = 0x01;
    private static final int QUEUED_MAX = 8;

    private final EmulatedController controller;
    private final int[] requests = new int[LIMIT];
    private int requestCount;
    private final int[] queued = new int[QUEUED_MAX];
    private int queuedCount;
    private boolean errorsMasked;

    AsyncEvents(final EmulatedController controller)
    {
        this.controller = controller;
    }

    static int eventDw0(final int type, final int info, final int logPage)
    {
        return (logPage << 16) | (info << 8) | type;
    }

    /**
     * An Asynchronous Event Request was fetched: completes it now with a waiting event (returns success,
     * DW0 set in the context), or keeps it ({@link CommandSet#NO_COMPLETION}), or refuses it over the limit.
     */
    synchronized int request(final CommandContext context)
    {
        if (queuedCount > 0)
        {
            context.dw0 = takeQueued();
            return Status.SUCCESS;
        }
        if (requestCount >= LIMIT)
        {
            return Status.withDnr(Status.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED);
        }
        requests[requestCount++] = context.entry.commandId();
        return CommandSet.NO_COMPLETION;
    }

    /** Raises an error event (type 0): reported now if a request is outstanding and errors are not masked. */
    synchronized void raiseError(final int info, final int logPage)
    {
        if (errorsMasked || isQueued(TYPE_ERROR))
        {
            return;
        }
        final int dw0 = eventDw0(TYPE_ERROR, info, logPage);
        if (requestCount > 0)
        {
            errorsMasked = true;
            completeOldest(dw0, Status.SUCCESS);
        }
        else if (queuedCount < QUEUED_MAX)
        {
            queued[queuedCount++] = dw0;
        }
    }

    /** The host read the Error Information log with RAE cleared: error events are reported again. */
    synchronized void unmaskErrors()
    {
        errorsMasked = false;
    }

    /** Abort of an outstanding request (§5.1): completes it with Command Abort Requested. */
    synchronized boolean abort(final int cid)
    {
        for (int i = 0; i < requestCount; i++)
        {
            if (requests[i] == cid)
            {
                System.arraycopy(requests, i + 1, requests, i, requestCount - i - 1);
                requestCount--;
                post(0, cid, Status.ABORT_REQUESTED);
                return true;
            }
        }
        return false;
    }

    synchronized int outstanding()
    {
        return requestCount;
    }

    /** Controller reset: requests are gone with the admin queue; events and masks start afresh. */
    synchronized void reset()
    {
        requestCount = 0;
        queuedCount = 0;
        errorsMasked = false;
    }

    private boolean isQueued(final int type)
    {
        for (int i = 0; i < queuedCount; i++)
        {
            if ((queued[i] & 0x7) == type)
            {
                return true;
            }
        }
        return false;
    }

    private int takeQueued()
    {
        final int dw0 = queued[0];
        System.arraycopy(queued, 1, queued, 0, queuedCount - 1);
        queuedCount--;
        if ((dw0 & 0x7) == TYPE_ERROR)
        {
            errorsMasked = true;
        }
        return dw0;
    }

    private void completeOldest(final int dw0, final int status)
    {
        final int cid = requests[0];
        System.arraycopy(requests, 1, requests, 0, requestCount - 1);
        requestCount--;
        post(dw0, cid, status);
    }

    private void post(final int dw0, final int cid, final int status)
    {
        final CompletionQueue adminCq = controller.completionQueue(EmulatedController.ADMIN_QUEUE_ID);
        final SubmissionQueue adminSq = controller.submissionQueue(EmulatedController.ADMIN_QUEUE_ID);
        if (adminCq != null && adminSq != null
            && !adminCq.complete(dw0, adminSq.head(), EmulatedController.ADMIN_QUEUE_ID, cid, status, 0))
        {
            controller.fatal("admin completion queue is not mapped");
        }
    }
}
