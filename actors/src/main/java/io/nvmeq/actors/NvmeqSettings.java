package io.nvmeq.actors;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * What the actor layer brings up: the device, how many queue pairs on which CPUs, how their threads
 * idle and how much they hold back. Loaded from the {@code nvmeq} block of HOCON configuration
 * ({@code reference.conf} has the defaults) and adjusted with the {@code with...} methods.
 *
 * @param device          device URI, e.g. {@code emu:memory?size=64m}
 * @param queuePairs      I/O queue pairs wanted; 0 = one per usable CPU (the controller may grant fewer)
 * @param queueEntries    entries per I/O queue (2..65536)
 * @param cpus            CPUs to pin queue-pair threads to, in queue order; empty = the usable CPUs
 * @param idleStrategy    busy-spin, yielding or backoff
 * @param backlog         requests held per queue pair while its hardware queue is full
 * @param pollMode        busy-poll (pinned duty-cycle threads) or self-poll (Poll messages)
 * @param startTimeout    bound on bring-up as waited for by the facade
 * @param shutdownTimeout bound on a graceful shutdown
 */
public record NvmeqSettings(
    String device,
    int queuePairs,
    int queueEntries,
    List<Integer> cpus,
    IdleStrategyKind idleStrategy,
    int backlog,
    PollMode pollMode,
    Duration startTimeout,
    Duration shutdownTimeout)
{
    /** How a queue-pair thread waits when there is nothing to do. */
    public enum IdleStrategyKind
    {
        BUSY_SPIN, YIELDING, BACKOFF;

        public static IdleStrategyKind parse(final String name)
        {
            for (final IdleStrategyKind kind : values())
            {
                if (kind.configName().equals(name))
                {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown idle strategy '" + name + "': use busy-spin, yielding or backoff");
        }

        public String configName()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How completions are polled. */
    public enum PollMode
    {
        BUSY_POLL, SELF_POLL;

        public static PollMode parse(final String name)
        {
            for (final PollMode mode : values())
            {
                if (mode.configName().equals(name))
                {
                    return mode;
                }
            }
            throw new IllegalArgumentException("unknown poll mode '" + name + "': use busy-poll or self-poll");
        }

        public String configName()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public NvmeqSettings
    {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(idleStrategy, "idleStrategy");
        Objects.requireNonNull(pollMode, "pollMode");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (queuePairs < 0 || queuePairs > 65535)
        {
            throw new IllegalArgumentException("queue-pairs must be 0..65535 (0 = one per CPU), not " + queuePairs);
        }
        if (queueEntries < 2 || queueEntries > 65536)
        {
            throw new IllegalArgumentException("queue-entries must be 2..65536, not " + queueEntries);
        }
        if (backlog < 0)
        {
            throw new IllegalArgumentException("backlog must not be negative, not " + backlog);
        }
        for (final Integer cpu : cpus)
        {
            if (cpu == null || cpu < 0)
            {
                throw new IllegalArgumentException("cpus must be CPU numbers >= 0, not " + cpus);
            }
        }
        if (startTimeout.isNegative() || startTimeout.isZero() || shutdownTimeout.isNegative() || shutdownTimeout.isZero())
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        cpus = List.copyOf(cpus);
    }

    /** The defaults of {@code reference.conf} (and any application.conf on the class path). */
    public static NvmeqSettings load()
    {
        return fromConfig(ConfigFactory.load());
    }

    /** Reads the {@code nvmeq} block of {@code config}. */
    public static NvmeqSettings fromConfig(final Config config)
    {
        final Config c = config.getConfig("nvmeq");
        return new NvmeqSettings(
            c.getString("device"),
            c.getInt("queue-pairs"),
            c.getInt("queue-entries"),
            c.getIntList("cpus"),
            IdleStrategyKind.parse(c.getString("idle-strategy")),
            c.getInt("backlog"),
            PollMode.parse(c.getString("poll-mode")),
            c.getDuration("start-timeout"),
            c.getDuration("shutdown-timeout"));
    }

    public NvmeqSettings withDevice(final String device)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withQueuePairs(final int queuePairs)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withQueueEntries(final int queueEntries)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withCpus(final List<Integer> cpus)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withIdleStrategy(final IdleStrategyKind idleStrategy)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withBacklog(final int backlog)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withPollMode(final PollMode pollMode)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withStartTimeout(final Duration startTimeout)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }

    public NvmeqSettings withShutdownTimeout(final Duration shutdownTimeout)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout);
    }
}
