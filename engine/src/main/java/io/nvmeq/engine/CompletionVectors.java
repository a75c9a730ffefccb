package io.nvmeq.engine;

import java.util.HashMap;
import java.util.Map;

import io.nvmeq.hw.device.InterruptVectors;

/**
 * Which interrupt vector each I/O completion queue is created with: one vector per owner (the thread
 * that polls and sleeps for the queue), shared by all the queues of that owner, never by two owners.
 * Draining a vector's eventfd consumes the wake-up of every queue on it, so a vector shared by two
 * threads could leave one of them asleep with a completion waiting; queues of one thread may share
 * one safely, since that thread re-checks all its queues after every wake-up.
 *
 * <p>Vectors are handed out from 1 up in the order owners first create a queue (vector 0 is the
 * admin queue's). An owner that finds none left gets none: its queues are created with interrupts
 * off (IEN = 0) and its thread polls them. Given to the controller in {@link ControllerOptions};
 * owners are assigned before their queues are created. Thread-safe (assignment on the caller's
 * thread, look-ups on the admin thread); never on a data path.
 */
public final class CompletionVectors
{
    /** The vector of a queue created without interrupts. */
    public static final int NONE = -1;

    private final Map<Integer, Object> ownerOfQueue = new HashMap<>();
    private final Map<Object, Integer> vectorOfOwner = new HashMap<>();
    private int nextVector = 1;

    /** Queue {@code qid} is polled by {@code owner} (e.g. the CPU of its thread): its CQ signals that owner's vector. */
    public synchronized void assign(final int qid, final Object owner)
    {
        if (qid < 1 || owner == null)
        {
            throw new IllegalArgumentException("an I/O queue id (1..) and an owner, not " + qid + " and " + owner);
        }
        ownerOfQueue.put(qid, owner);
    }

    /**
     * The vector for queue {@code qid}'s completion queue on a device with {@code vectors}, or
     * {@link #NONE} if the queue has no owner or the owners used up the vectors. The same owner always
     * gets the same vector.
     */
    synchronized int vectorOf(final int qid, final InterruptVectors vectors)
    {
        final Object owner = ownerOfQueue.get(qid);
        if (owner == null)
        {
            return NONE;
        }
        final Integer known = vectorOfOwner.get(owner);
        if (known != null)
        {
            return known;
        }
        final int vector = nextVector < vectors.count() ? nextVector++ : NONE;
        vectorOfOwner.put(owner, vector);
        return vector;
    }

    /** Whether queue {@code qid} was given an owner (a queue without one is polled by whoever made it). */
    synchronized boolean owned(final int qid)
    {
        return ownerOfQueue.containsKey(qid);
    }

    /** How many distinct owners were given a vector so far. */
    public synchronized int vectorsInUse()
    {
        return nextVector - 1;
    }
}
