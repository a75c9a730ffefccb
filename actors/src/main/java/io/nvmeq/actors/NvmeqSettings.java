package io.nvmeq.actors;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.dispatch.CompletionMode;

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
 * @param recovery        how failed queue pairs are restarted and their requests retried
 * @param completionMode  how a busy-poll queue-pair thread waits: busy-poll, adaptive or interrupt
 * @param pollWindowMax   the longest poll window of adaptive mode
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
    Duration shutdownTimeout,
    Recovery recovery,
    CompletionMode completionMode,
    Duration pollWindowMax)
{
    /**
     * How a failed queue pair is restarted (its NVMe queues deleted and re-created) and what happens
     * to the requests it held.
     *
     * @param minBackoff  wait before re-creating the queues after a second failure in a row (after a
     *                    first one they are re-created at once)
     * @param maxBackoff  cap of the wait, which doubles with each further failure in a row
     * @param maxRestarts failures in a row (no request succeeded in between) after which the queue
     *                    pair gives up: it stops and answers everything it holds
     * @param maxRetries  times a request in flight during a failure is re-submitted before it is
     *                    failed with {@link QueuePairRestartedException}
     * @param healthCheck how often the supervisor reads CSTS; a fatal status (CFS, or all ones) makes it
     *                    reset the controller, after which every queue pair re-creates its queues
     * @param ioTimeout   deadline of an I/O command: on expiry the engine reaps once more, then Aborts, then resets
     * @param adminTimeout deadline of an admin command
     */
    public record Recovery(Duration minBackoff, Duration maxBackoff, int maxRestarts, int maxRetries,
        Duration healthCheck, Duration ioTimeout, Duration adminTimeout)
    {
        /** Linux's defaults for the command deadlines: 30 s for I/O, 60 s for admin commands. */
        public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(30);
        public static final Duration DEFAULT_ADMIN_TIMEOUT = Duration.ofSeconds(60);

        public Recovery
        {
            Objects.requireNonNull(minBackoff, "minBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(healthCheck, "healthCheck");
            Objects.requireNonNull(ioTimeout, "ioTimeout");
            Objects.requireNonNull(adminTimeout, "adminTimeout");
            if (ioTimeout.isNegative() || ioTimeout.isZero() || adminTimeout.isNegative() || adminTimeout.isZero())
            {
                throw new IllegalArgumentException("recovery io-timeout and admin-timeout must be positive, not " +
                    ioTimeout + " and " + adminTimeout);
            }
            if (healthCheck.isNegative() || healthCheck.isZero())
            {
                throw new IllegalArgumentException("recovery health-check must be positive, not " + healthCheck);
            }
            if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0)
            {
                throw new IllegalArgumentException("recovery backoffs must satisfy 0 <= min-backoff <= max-backoff, not " +
                    minBackoff + " and " + maxBackoff);
            }
            if (maxRestarts < 0 || maxRetries < 0)
            {
                throw new IllegalArgumentException("recovery max-restarts and max-retries must not be negative");
            }
        }

        /** With the default command deadlines. */
        public Recovery(final Duration minBackoff, final Duration maxBackoff, final int maxRestarts, final int maxRetries,
            final Duration healthCheck)
        {
            this(minBackoff, maxBackoff, maxRestarts, maxRetries, healthCheck, DEFAULT_IO_TIMEOUT, DEFAULT_ADMIN_TIMEOUT);
        }

        static Recovery fromConfig(final Config c)
        {
            return new Recovery(c.getDuration("min-backoff"), c.getDuration("max-backoff"), c.getInt("max-restarts"),
                c.getInt("max-retries"), c.getDuration("health-check"), c.getDuration("io-timeout"),
                c.getDuration("admin-timeout"));
        }

        /** The same recovery with other command deadlines. */
        public Recovery withTimeouts(final Duration io, final Duration admin)
        {
            return new Recovery(minBackoff, maxBackoff, maxRestarts, maxRetries, healthCheck, io, admin);
        }

        /**
         * The wait before re-creating the queues after {@code failuresInARow} (1..) failures: none after
         * a single failure (a one-off crash costs no more than the re-creation), then min-backoff,
         * doubling with each further failure up to max-backoff.
         */
        public Duration backoff(final int failuresInARow)
        {
            if (failuresInARow <= 1)
            {
                return Duration.ZERO;
            }
            final int doublings = Math.min(failuresInARow - 2, 30);
            final Duration wait = minBackoff.multipliedBy(1L << doublings);
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }

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
        Objects.requireNonNull(recovery, "recovery");
        Objects.requireNonNull(completionMode, "completionMode");
        Objects.requireNonNull(pollWindowMax, "pollWindowMax");
        if (pollWindowMax.isNegative())
        {
            throw new IllegalArgumentException("poll-window-max must not be negative, not " + pollWindowMax);
        }
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

    /**
     * Reads the {@code nvmeq} block of {@code config}.
     *
     * @throws UnknownSettingException if the block has a key nvmeq does not know (e.g. a misspelling)
     */
    public static NvmeqSettings fromConfig(final Config config)
    {
        SettingsKeys.check(config);
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
            c.getDuration("shutdown-timeout"),
            Recovery.fromConfig(c.getConfig("recovery")),
            CompletionMode.parse(c.getString("completion-mode")),
            c.getDuration("poll-window-max"));
    }

    public NvmeqSettings withDevice(final String device)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withQueuePairs(final int queuePairs)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withQueueEntries(final int queueEntries)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withCpus(final List<Integer> cpus)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withIdleStrategy(final IdleStrategyKind idleStrategy)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withBacklog(final int backlog)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withPollMode(final PollMode pollMode)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withStartTimeout(final Duration startTimeout)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withShutdownTimeout(final Duration shutdownTimeout)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withCompletionMode(final CompletionMode completionMode)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withPollWindowMax(final Duration pollWindowMax)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }

    public NvmeqSettings withRecovery(final Recovery recovery)
    {
        return new NvmeqSettings(device, queuePairs, queueEntries, cpus, idleStrategy, backlog, pollMode,
            startTimeout, shutdownTimeout, recovery, completionMode, pollWindowMax);
    }
}
