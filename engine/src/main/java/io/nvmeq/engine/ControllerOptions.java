package io.nvmeq.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the driver brings a controller up.
 *
 * @param adminQueueEntries entries of the admin SQ and CQ (2..4096)
 * @param ioQueuePairs      I/O queue pairs to ask for (the controller may grant fewer)
 * @param ioQueueEntries    default entries per I/O queue (capped by CAP.MQES)
 * @param adminTimeout      deadline of one admin command (Linux uses 60 s)
 */
public record ControllerOptions(int adminQueueEntries, int ioQueuePairs, int ioQueueEntries, Duration adminTimeout)
{
    public ControllerOptions
    {
        if (adminQueueEntries < 2 || adminQueueEntries > 4096)
        {
            throw new IllegalArgumentException("admin queue entries must be 2..4096, not " + adminQueueEntries);
        }
        if (ioQueuePairs < 1 || ioQueuePairs > 65535)
        {
            throw new IllegalArgumentException("I/O queue pairs must be 1..65535, not " + ioQueuePairs);
        }
        if (ioQueueEntries < 2 || ioQueueEntries > 65536)
        {
            throw new IllegalArgumentException("I/O queue entries must be 2..65536, not " + ioQueueEntries);
        }
        Objects.requireNonNull(adminTimeout, "adminTimeout");
        if (adminTimeout.isNegative() || adminTimeout.isZero())
        {
            throw new IllegalArgumentException("admin timeout must be positive, not " + adminTimeout);
        }
    }

    public static ControllerOptions defaults()
    {
        return new ControllerOptions(32, Runtime.getRuntime().availableProcessors(), 256, Duration.ofSeconds(60));
    }

    public ControllerOptions withIoQueuePairs(final int n)
    {
        return new ControllerOptions(adminQueueEntries, n, ioQueueEntries, adminTimeout);
    }

    public ControllerOptions withIoQueueEntries(final int n)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, n, adminTimeout);
    }

    public ControllerOptions withAdminTimeout(final Duration timeout)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, timeout);
    }
}
