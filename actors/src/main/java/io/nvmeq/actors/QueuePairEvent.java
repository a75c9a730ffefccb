package io.nvmeq.actors;

/**
 * What a queue-pair actor tells whoever supervises it: a small protocol of its own, so that the child
 * names none of its parent's messages ({@link ControllerSupervisor} adapts these with a message adapter).
 */
sealed interface QueuePairEvent
{
    /** It gave up recovering: it now refuses every request, typed, until it is revived or stopped. */
    record GaveUp(int queueId) implements QueuePairEvent
    {
    }

}
