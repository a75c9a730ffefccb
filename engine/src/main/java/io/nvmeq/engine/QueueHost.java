package io.nvmeq.engine;

/**
 * What an I/O {@link QueuePair} may ask of its controller: the narrow interface between the data path
 * and the admin side. Every method returns at once; nothing here waits for the device. The admin side
 * ({@link AdminPoller}) does the work on its own thread.
 *
 * <p>The reset hand-off: {@link #generation()} moves on when a controller reset begins; from then on a
 * queue pair rings no doorbell and submits nothing. {@link #readyGeneration()} reaches the same value
 * once the reset has re-created every I/O queue (or has failed, then {@link #isFailed()}); the owner then
 * reconnects its queue on its own thread: takes what its CQ still holds, clears its rings, resubmits or
 * fails its commands.
 */
interface QueueHost
{
    /** Moves on when a controller reset begins. */
    int generation();

    /** Equal to {@link #generation()} once the reset that moved it has finished (re-created or failed). */
    int readyGeneration();

    /** A reset failed: the controller is gone for good. */
    boolean isFailed();

    /** CSTS as read now. */
    int readStatus();

    /**
     * Asks for an Abort of command {@code commandId} on SQ {@code sqid}; if the Abort fails, the
     * controller is reset. Ignored if a reset began since {@code observedGeneration}.
     */
    void requestAbort(int observedGeneration, int sqid, int commandId);

    /** Asks for a controller reset, unless one began since {@code observedGeneration}. */
    void requestReset(int observedGeneration, String reason);
}
