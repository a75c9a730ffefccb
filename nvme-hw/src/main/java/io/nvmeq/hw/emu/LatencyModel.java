package io.nvmeq.hw.emu;

/**
 * The emulated medium's timing: a service time per kind of I/O command and a number of internal
 * channels that serve commands in parallel. A command occupies the channel that frees first from
 * max(submission, that channel's free time) for its service time; its completion is then posted by
 * the first {@code poll} of its completion queue at or after that time. So a device sustains
 * {@code min(queue depth, channels) ÷ service time} commands per second, as a real one roughly does.
 *
 * <p>Read is NVM Read; write covers Write and Write Zeroes; flush is Flush. Dataset Management and
 * admin commands take no time. A command that fails before it reaches the medium (a bad field, an
 * LBA out of range, an injected error) completes at once without using a channel.
 *
 * @param read     service time of a Read
 * @param write    service time of a Write or Write Zeroes
 * @param flush    service time of a Flush
 * @param channels commands the medium serves at once (1..4096)
 */
public record LatencyModel(ServiceTime read, ServiceTime write, ServiceTime flush, int channels)
{
    /** No modelled time: every completion is posted before the doorbell write returns. */
    public static final LatencyModel NONE = new LatencyModel(ServiceTime.ZERO, ServiceTime.ZERO, ServiceTime.ZERO, 1);

    public LatencyModel
    {
        if (read == null || write == null || flush == null)
        {
            throw new IllegalArgumentException("a latency model needs read, write and flush service times");
        }
        if (channels < 1 || channels > 4096)
        {
            throw new IllegalArgumentException("channels must be 1..4096, not " + channels);
        }
    }

    /** Whether any command takes time (otherwise completions are immediate). */
    public boolean isActive()
    {
        return !read.isZero() || !write.isZero() || !flush.isZero();
    }

    public LatencyModel withRead(final ServiceTime serviceTime)
    {
        return new LatencyModel(serviceTime, write, flush, channels);
    }

    public LatencyModel withWrite(final ServiceTime serviceTime)
    {
        return new LatencyModel(read, serviceTime, flush, channels);
    }

    public LatencyModel withFlush(final ServiceTime serviceTime)
    {
        return new LatencyModel(read, write, serviceTime, channels);
    }

    public LatencyModel withChannels(final int count)
    {
        return new LatencyModel(read, write, flush, count);
    }
}
