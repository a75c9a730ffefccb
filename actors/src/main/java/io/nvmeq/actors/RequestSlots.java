package io.nvmeq.actors;

import java.util.Arrays;

import akka.actor.typed.ActorRef;

/**
 * Pre-allocated table of the requests a queue pair has in flight: the engine's completion token is
 * the slot index, and the slot holds who to answer and with which tag. Acquire and release are
 * O(1) through a stack of free slots and allocate nothing. Confined to the queue pair's thread.
 */
final class RequestSlots
{
    private final ActorRef<IoReply>[] replyTo;
    private final long[] tags;
    private final int[] opcodes;
    private final int[] freeSlots;
    private int freeCount;

    @SuppressWarnings("unchecked")
    RequestSlots(final int capacity)
    {
        replyTo = (ActorRef<IoReply>[])new ActorRef<?>[capacity];
        tags = new long[capacity];
        opcodes = new int[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** Takes a free slot for a request; -1 if all are in use. */
    int acquire(final ActorRef<IoReply> replyTo, final long tag, final int opcode)
    {
        if (freeCount == 0)
        {
            return -1;
        }
        final int slot = freeSlots[--freeCount];
        this.replyTo[slot] = replyTo;
        tags[slot] = tag;
        opcodes[slot] = opcode;
        return slot;
    }

    /** Whether {@code slot} holds a request (a token from the engine is checked before use). */
    boolean inUse(final long slot)
    {
        return slot >= 0 && slot < replyTo.length && replyTo[(int)slot] != null;
    }

    ActorRef<IoReply> replyTo(final int slot)
    {
        return replyTo[slot];
    }

    long tag(final int slot)
    {
        return tags[slot];
    }

    int opcode(final int slot)
    {
        return opcodes[slot];
    }

    void release(final int slot)
    {
        replyTo[slot] = null;
        freeSlots[freeCount++] = slot;
    }

    int inUseCount()
    {
        return replyTo.length - freeCount;
    }

    int capacity()
    {
        return replyTo.length;
    }

    /** The slots in use now, lowest first (used when stopping, never on the data path). */
    int[] slotsInUse()
    {
        int count = 0;
        final int[] slots = new int[inUseCount()];
        for (int slot = 0; slot < replyTo.length; slot++)
        {
            if (replyTo[slot] != null)
            {
                slots[count++] = slot;
            }
        }
        return Arrays.copyOf(slots, count);
    }
}
