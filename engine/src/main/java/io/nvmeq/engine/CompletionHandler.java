package io.nvmeq.engine;

/**
 * Called on the queue pair's owning thread when a request completes, with what the caller gave at
 * submission: a number ({@code token}) and an object ({@code attachment}), both kept in the queue pair's
 * pre-allocated request table, so that a caller needs no table of its own and nothing is allocated per
 * request. Implementations must not call {@link QueuePair#poll(int)} (one owner per CQ, no re-entry); they
 * may submit new requests.
 *
 * @param <T> the type of the attachments this handler is given
 */
@FunctionalInterface
public interface CompletionHandler<T>
{
    /**
     * @param token      the caller's token given at submission
     * @param attachment the caller's object given at submission (may be null)
     * @param status     the 15-bit NVMe status field: 0 on success (see {@link io.nvmeq.hw.spec.Status}),
     *                   or a {@link HostStatus}
     */
    void onCompletion(long token, T attachment, int status);
}
