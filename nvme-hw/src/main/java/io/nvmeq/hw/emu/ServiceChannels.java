package io.nvmeq.hw.emu;

import java.util.Arrays;

import io.nvmeq.hw.spec.Opcodes;

/**
 * The runtime side of a {@link LatencyModel}: when each internal channel is next free. Shared by every
 * I/O queue of a controller (the medium is shared), so scheduling is serialised on this object; it is
 * a scan over a few longs, no allocation.
 */
final class ServiceChannels
{
    private final LatencyModel model;
    private final long[] freeAt;
    private long busyNanos;

    ServiceChannels(final LatencyModel model)
    {
        this.model = model;
        this.freeAt = new long[model.channels()];
    }

    boolean isActive()
    {
        return model.isActive();
    }

    /** Service time of an NVM command of this opcode, drawn from its distribution; 0 for untimed commands. */
    long serviceTime(final int opcode)
    {
        switch (opcode)
        {
            case Opcodes.NVM_READ:
                return model.read().sample();
            case Opcodes.NVM_WRITE:
            case Opcodes.NVM_WRITE_ZEROES:
                return model.write().sample();
            case Opcodes.NVM_FLUSH:
                return model.flush().sample();
            default:
                return 0;
        }
    }

    /** Books the earliest free channel for {@code service} ns from {@code now}; returns when it is done. */
    synchronized long schedule(final long now, final long service)
    {
        int best = 0;
        for (int i = 1; i < freeAt.length; i++)
        {
            if (freeAt[i] < freeAt[best])
            {
                best = i;
            }
        }
        final long done = Math.max(now, freeAt[best]) + service;
        freeAt[best] = done;
        busyNanos += service;
        return done;
    }

    synchronized long busyNanos()
    {
        return busyNanos;
    }

    /** A controller reset abandons what the channels were doing. */
    synchronized void reset()
    {
        Arrays.fill(freeAt, 0);
    }
}
