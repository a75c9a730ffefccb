package io.nvmeq.actors.dispatch;

import io.nvmeq.engine.CompletionInterrupt;

/**
 * Work a {@link BusyPollExecutor} does on its own thread between mailbox runs, e.g. reaping a
 * completion queue. Called only on that thread, so it may touch the state of the actor that
 * registered it without synchronisation (the actor runs on the same thread).
 */
public interface Poller
{
    /**
     * Does one round of work; must not block.
     *
     * @return how much work was done (0 = none), as an Agrona duty cycle counts it
     */
    int poll();

    /** True while work is outstanding (commands in flight): the thread keeps spinning instead of idling. */
    boolean busy();

    /**
     * The interrupt of the completion queue this poller reaps, or null if it has none. In adaptive and
     * interrupt mode the thread sleeps on it; a busy poller without one keeps the thread spinning.
     */
    default CompletionInterrupt interrupt()
    {
        return null;
    }
}
