package io.nvmeq.engine;

/**
 * Called on the queue pair's owning thread when a command completes.
 * Implementations must not call {@link QueuePair#poll(int)} (one owner per CQ, no re-entry); they may
 * submit new commands.
 */
@FunctionalInterface
public interface CompletionHandler
{
    /**
     * @param token  the caller's token given at submission
     * @param status the 15-bit NVMe status field: 0 on success (see {@link io.nvmeq.hw.spec.Status})
     */
    void onCompletion(long token, int status);
}
