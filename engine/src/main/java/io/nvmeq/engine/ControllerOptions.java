package io.nvmeq.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the driver brings a controller up and runs its queues.
 *
 * @param adminQueueEntries entries of the admin SQ and CQ (2..4096)
 * @param ioQueuePairs      I/O queue pairs to ask for (the controller may grant fewer)
 * @param ioQueueEntries    default entries per I/O queue (capped by CAP.MQES)
 * @param adminTimeout      deadline of one admin command (Linux uses 60 s)
 * @param ioTimeout         deadline of one I/O command, after which it is aborted, and after a second
 *                          one the controller is reset (Linux uses 30 s)
 * @param maxRetries        how often a command is resubmitted after a retryable error or a controller
 *                          reset before it fails (never when the device set Do Not Retry; Linux uses 5)
 * @param maxTransferBytes  the driver's cap on one command's transfer, below the controller's MDTS: it
 *                          sizes the PRP list pages each command slot holds (multiple of 4 KiB)
 * @param bounceBuffers     bounce buffers per I/O queue pair (0 refuses data that needs bouncing)
 * @param bounceBufferBytes bytes per bounce buffer (multiple of 4 KiB); a bounced request is split into
 *                          commands of at most this size
 * @param completionVectors the interrupt vector of each I/O completion queue by owner thread; null:
 *                          every I/O completion queue is created with interrupts off (IEN = 0)
 */
public record ControllerOptions(
    int adminQueueEntries,
    int ioQueuePairs,
    int ioQueueEntries,
    Duration adminTimeout,
    Duration ioTimeout,
    int maxRetries,
    int maxTransferBytes,
    int bounceBuffers,
    int bounceBufferBytes,
    CompletionVectors completionVectors)
{
    public static final Duration DEFAULT_ADMIN_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RETRIES = 5;
    public static final int DEFAULT_MAX_TRANSFER_BYTES = 4 << 20;
    public static final int DEFAULT_BOUNCE_BUFFERS = 16;
    public static final int DEFAULT_BOUNCE_BUFFER_BYTES = 128 << 10;

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
        requirePositive(adminTimeout, "admin timeout");
        requirePositive(ioTimeout, "I/O timeout");
        if (maxRetries < 0 || maxRetries > 100)
        {
            throw new IllegalArgumentException("max retries must be 0..100, not " + maxRetries);
        }
        if (maxTransferBytes < 4096 || (maxTransferBytes & 4095) != 0 || maxTransferBytes > (256 << 20))
        {
            throw new IllegalArgumentException("max transfer must be a multiple of 4 KiB in 4 KiB..256 MiB, not "
                + maxTransferBytes);
        }
        if (bounceBuffers < 0 || bounceBuffers > 65536)
        {
            throw new IllegalArgumentException("bounce buffers must be 0..65536, not " + bounceBuffers);
        }
        if (bounceBufferBytes < 4096 || (bounceBufferBytes & 4095) != 0 || bounceBufferBytes > (64 << 20))
        {
            throw new IllegalArgumentException("bounce buffer size must be a multiple of 4 KiB in 4 KiB..64 MiB, not "
                + bounceBufferBytes);
        }
    }

    /** The original four settings; everything else at its default. */
    public ControllerOptions(final int adminQueueEntries, final int ioQueuePairs, final int ioQueueEntries,
        final Duration adminTimeout)
    {
        this(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, DEFAULT_IO_TIMEOUT, DEFAULT_MAX_RETRIES,
            DEFAULT_MAX_TRANSFER_BYTES, DEFAULT_BOUNCE_BUFFERS, DEFAULT_BOUNCE_BUFFER_BYTES, null);
    }

    public static ControllerOptions defaults()
    {
        return new ControllerOptions(32, Runtime.getRuntime().availableProcessors(), 256, DEFAULT_ADMIN_TIMEOUT);
    }

    public ControllerOptions withIoQueuePairs(final int n)
    {
        return new ControllerOptions(adminQueueEntries, n, ioQueueEntries, adminTimeout, ioTimeout, maxRetries,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withIoQueueEntries(final int n)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, n, adminTimeout, ioTimeout, maxRetries,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withAdminTimeout(final Duration timeout)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, timeout, ioTimeout, maxRetries,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withIoTimeout(final Duration timeout)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, timeout, maxRetries,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withMaxRetries(final int n)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, ioTimeout, n,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withMaxTransferBytes(final int bytes)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, ioTimeout, maxRetries,
            bytes, bounceBuffers, bounceBufferBytes, completionVectors);
    }

    public ControllerOptions withBounceBuffers(final int count, final int bytesEach)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, ioTimeout, maxRetries,
            maxTransferBytes, count, bytesEach, completionVectors);
    }

    /** I/O completion queues with interrupts, on the vectors {@code vectors} hands out (null: none). */
    public ControllerOptions withCompletionVectors(final CompletionVectors vectors)
    {
        return new ControllerOptions(adminQueueEntries, ioQueuePairs, ioQueueEntries, adminTimeout, ioTimeout, maxRetries,
            maxTransferBytes, bounceBuffers, bounceBufferBytes, vectors);
    }

    private static void requirePositive(final Duration duration, final String what)
    {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(what + " must be positive, not " + duration);
        }
    }
}
