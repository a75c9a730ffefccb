package io.nvmeq.engine;

/** Answers one admin command, on the thread that polls the admin queue. */
@FunctionalInterface
interface AdminCallback
{
    /**
     * @param status the 15-bit NVMe status (0 = success), or a {@link HostStatus} when the driver gave up
     *               on the command (deadline passed, controller reset or failed)
     * @param dw0    DW0 of the completion (command-specific results); 0 without a completion
     */
    void onAdminCompletion(int status, int dw0);
}
