package io.nvmeq.actors;

import java.util.Arrays;

import akka.actor.typed.ActorRef;

/**
 * The answers one completion poll found for operations that chain their answers
 * ({@link IoOperation#chainingAnswers}), linked per reply target and told as one message each when the poll
 * ends: a client with 32 commands in flight gets one message for a burst, not 32. A few targets are kept
 * (a queue pair serves few clients); an answer for one more is told on its own. Confined to the queue
 * pair's thread; allocates nothing.
 */
final class ReplyChains
{
    private static final int TARGETS = 8;

    @SuppressWarnings("unchecked")
    private final ActorRef<IoReply>[] targets = new ActorRef[TARGETS];
    private final IoOperation[] heads = new IoOperation[TARGETS];
    private final IoOperation[] tails = new IoOperation[TARGETS];
    private int count;

    /** Adds an answered {@code operation} (its outcome set) to its target's chain. */
    void add(final IoOperation operation)
    {
        operation.nextAnswer = null;
        final ActorRef<IoReply> target = operation.replyTo();
        for (int i = 0; i < count; i++)
        {
            if (targets[i] == target)
            {
                tails[i].nextAnswer = operation;
                tails[i] = operation;
                return;
            }
        }
        if (count == TARGETS)
        {
            target.tell(operation);
            return;
        }
        targets[count] = target;
        heads[count] = operation;
        tails[count] = operation;
        count++;
    }

    /** Tells each target the first answer of its chain, and forgets them all. */
    void tellAll()
    {
        for (int i = 0; i < count; i++)
        {
            targets[i].tell(heads[i]);
        }
        Arrays.fill(targets, 0, count, null);
        Arrays.fill(heads, 0, count, null);
        Arrays.fill(tails, 0, count, null);
        count = 0;
    }
}
