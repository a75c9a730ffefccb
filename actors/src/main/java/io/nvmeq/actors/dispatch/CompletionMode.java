package io.nvmeq.actors.dispatch;

import java.util.Locale;

/**
 * How a queue-pair thread waits for completions and mailbox tasks ({@code nvmeq.completion-mode}); it applies
 * to the busy-poll executor ({@code nvmeq.poll-mode = busy-poll}), which it runs on.
 */
public enum CompletionMode
{
    /**
     * Spin while commands are in flight, otherwise the idle strategy (down to parking, woken by a new task).
     * Completion queues are created without interrupts.
     */
    BUSY_POLL,
    /**
     * Spin while commands are in flight and for a poll window after the last work (learned from the gaps
     * seen, at most {@code poll-window-max}), then sleep on the completion queues' interrupt eventfds and the
     * thread's wake-up eventfd.
     */
    ADAPTIVE,
    /** Sleep on the eventfds whenever a duty cycle finds nothing to do, commands in flight or not. */
    INTERRUPT;

    public static CompletionMode parse(final String name)
    {
        for (final CompletionMode mode : values())
        {
            if (mode.configName().equals(name))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown completion mode '" + name + "': use busy-poll, adaptive or interrupt");
    }

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether completion queues are created with interrupts (IEN = 1) for this mode. */
    public boolean usesInterrupts()
    {
        return this != BUSY_POLL;
    }
}
