package io.nvmeq.actors;

import java.util.Arrays;

/**
 * Pre-allocated table of the requests a queue pair has in flight: the engine's completion token is
 * the slot index, and the slot holds the request itself (to answer it, or to re-submit it after a
 * restart) and how often it was submitted before. Acquire and release are O(1) through a stack of
 * free slots and allocate nothing. Confined to the queue pair's thread; outlives the actor's restarts.
 */
final class RequestSlots
{
    private final IoRequest[] requests;
    private final int[] attempts;
    private final int[] freeSlots;
    private int freeCount;

    RequestSlots(final int capacity)
    {
        requests = new IoRequest[capacity];
        attempts = new int[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** Takes a free slot for {@code request}, submitted {@code attempt} times before; -1 if all are in use. */
    int acquire(final IoRequest request, final int attempt)
    {
        if (freeCount == 0)
        {
            return -1;
        }
        final int slot = freeSlots[--freeCount];
        requests[slot] = request;
        attempts[slot] = attempt;
        return slot;
    }

    /** Whether {@code slot} holds a request (a token from the engine is checked before use). */
    boolean inUse(final long slot)
    {
        return slot >= 0 && slot < requests.length && requests[(int)slot] != null;
    }

    int attempt(final int slot)
    {
        return attempts[slot];
    }

    /** Frees {@code slot}; returns the request it held. */
    IoRequest release(final int slot)
    {
        final IoRequest request = requests[slot];
        requests[slot] = null;
        freeSlots[freeCount++] = slot;
        return request;
    }

    int inUseCount()
    {
        return requests.length - freeCount;
    }

    int capacity()
    {
        return requests.length;
    }

    /** The slots in use now, lowest first (used after a failure or when stopping, never on the data path). */
    int[] slotsInUse()
    {
        int count = 0;
        final int[] slots = new int[inUseCount()];
        for (int slot = 0; slot < requests.length; slot++)
        {
            if (requests[slot] != null)
            {
                slots[count++] = slot;
            }
        }
        return Arrays.copyOf(slots, count);
    }
}
