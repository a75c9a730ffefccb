package io.nvmeq.engine;

import static org.agrona.UnsafeAccess.UNSAFE;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The commands of one queue pair by command id, pre-allocated (Agrona-style parallel arrays): the
 * request each belongs to, a sequence number that tells a reused id from its earlier use, its deadline,
 * retries, Abort and timeout marks, and a copy of its entry for resubmission. Confined to the queue
 * pair's owner thread; claim and release are O(1) through a stack of free ids and allocate nothing.
 */
final class CommandTable
{
    static final int NONE = -1;
    static final long NOT_RUNG = Long.MIN_VALUE;

    /** The request of each command id; {@link #NONE} when the id is free. */
    final int[] request;
    final int[] sequence;
    /** When the command's deadline passes; {@link #NOT_RUNG} until its doorbell is rung. */
    final long[] deadline;
    final int[] retries;
    final boolean[] aborted;
    final boolean[] timedOut;
    private final UnsafeBuffer shadow;
    private final int[] free;
    private int freeCount;

    CommandTable(final int capacity)
    {
        request = new int[capacity];
        sequence = new int[capacity];
        deadline = new long[capacity];
        retries = new int[capacity];
        aborted = new boolean[capacity];
        timedOut = new boolean[capacity];
        shadow = new UnsafeBuffer(new byte[capacity * SubmissionEntry.SIZE]);
        free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = capacity - 1 - i;
            request[i] = NONE;
        }
        freeCount = capacity;
    }

    int freeCount()
    {
        return freeCount;
    }

    /** Whether {@code commandId} (from a completion entry) is in flight. */
    boolean inFlight(final int commandId)
    {
        return commandId < request.length && request[commandId] != NONE;
    }

    /** Takes a free command id for part of {@code owner}; the caller has checked {@link #freeCount()}. */
    int claim(final int owner)
    {
        final int commandId = free[--freeCount];
        request[commandId] = owner;
        sequence[commandId]++;
        deadline[commandId] = NOT_RUNG;
        retries[commandId] = 0;
        aborted[commandId] = false;
        timedOut[commandId] = false;
        return commandId;
    }

    void release(final int commandId)
    {
        request[commandId] = NONE;
        free[freeCount++] = commandId;
    }

    /** Keeps a copy of the command's entry as written at {@code offset} of {@code sq}. */
    void save(final int commandId, final UnsafeBuffer sq, final int offset)
    {
        copyEntry(shadow, commandId * SubmissionEntry.SIZE, sq, offset);
    }

    /** Writes the saved entry back at {@code offset} of {@code sq}, for resubmission. */
    void restore(final int commandId, final UnsafeBuffer sq, final int offset)
    {
        copyEntry(sq, offset, shadow, commandId * SubmissionEntry.SIZE);
    }

    /**
     * Copies one 64-byte entry with eight loads and stores (no call for so few bytes), each buffer's
     * bounds checked once for the whole entry rather than once per qword.
     */
    private static void copyEntry(
        final UnsafeBuffer to, final int toOffset, final UnsafeBuffer from, final int fromOffset)
    {
        to.boundsCheck(toOffset, SubmissionEntry.SIZE);
        from.boundsCheck(fromOffset, SubmissionEntry.SIZE);
        final byte[] toArray = to.byteArray();
        final long toAddress = to.addressOffset() + toOffset;
        final byte[] fromArray = from.byteArray();
        final long fromAddress = from.addressOffset() + fromOffset;
        for (int i = 0; i < SubmissionEntry.SIZE; i += Long.BYTES)
        {
            UNSAFE.putLong(toArray, toAddress + i, UNSAFE.getLong(fromArray, fromAddress + i));
        }
    }
}
