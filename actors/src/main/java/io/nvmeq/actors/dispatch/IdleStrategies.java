package io.nvmeq.actors.dispatch;

import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import io.nvmeq.actors.NvmeqSettings.IdleStrategyKind;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Builds the Agrona idle strategy of a busy-poll thread from its {@code busy-poll} configuration block. */
final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    static IdleStrategy create(final IdleStrategyKind kind, final Config busyPoll)
    {
        return switch (kind)
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELDING -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(
                busyPoll.getLong("max-spins"),
                busyPoll.getLong("max-yields"),
                busyPoll.getDuration("min-park", TimeUnit.NANOSECONDS),
                busyPoll.getDuration("max-park", TimeUnit.NANOSECONDS));
        };
    }

    /**
     * Idle calls after which {@code kind} parks the thread: from then on a new task must unpark it.
     * Long.MAX_VALUE for strategies that never park.
     */
    static long parkThreshold(final IdleStrategyKind kind, final Config busyPoll)
    {
        return kind == IdleStrategyKind.BACKOFF ?
            busyPoll.getLong("max-spins") + busyPoll.getLong("max-yields") : Long.MAX_VALUE;
    }
}
