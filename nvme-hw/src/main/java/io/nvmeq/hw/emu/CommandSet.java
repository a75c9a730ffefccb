package io.nvmeq.hw.emu;

/** Executes the commands of one command set (admin or NVM) fetched from a submission queue. */
interface CommandSet
{
    /** Returned by {@link #execute} for a command that completes later (an Async Event Request). */
    int NO_COMPLETION = -1;

    /**
     * Executes the entry in {@code context} and returns its status field (see io.nvmeq.hw.spec.Status),
     * having set {@link CommandContext#dw0}; or {@link #NO_COMPLETION}.
     */
    int execute(CommandContext context);
}
