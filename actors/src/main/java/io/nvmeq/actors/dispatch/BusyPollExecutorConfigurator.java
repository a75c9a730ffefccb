package io.nvmeq.actors.dispatch;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import akka.dispatch.MonitorableThreadFactory;
import com.typesafe.config.Config;
import io.nvmeq.actors.NvmeqSettings.IdleStrategyKind;

/**
 * Plugs {@link BusyPollExecutor} into an Akka {@code Dispatcher}: {@code executor =
 * "io.nvmeq.actors.dispatch.BusyPollExecutorConfigurator"}. Reads {@code cpu} (-1 = unpinned) and
 * the {@code busy-poll} block ({@code idle-strategy}, backoff parameters, task queue sizing,
 * {@code completion-mode} and {@code poll-window-max}) of the
 * dispatcher's configuration. Akka's stock PinnedDispatcher would silently ignore a
 * custom executor (so no thread would ever be pinned); a one-thread Dispatcher with this executor does not.
 */
public final class BusyPollExecutorConfigurator extends ExecutorServiceConfigurator
{
    private final int cpu;
    private final IdleStrategyKind idleKind;
    private final Config busyPoll;
    private final CompletionMode completionMode;
    private final long pollWindowMaxNanos;

    public BusyPollExecutorConfigurator(final Config config, final DispatcherPrerequisites prerequisites)
    {
        super(config, prerequisites);
        this.cpu = config.hasPath("cpu") ? config.getInt("cpu") : -1;
        this.busyPoll = config.getConfig("busy-poll");
        this.idleKind = IdleStrategyKind.parse(busyPoll.getString("idle-strategy"));
        // Fail at configuration time, not on the new thread.
        IdleStrategies.create(idleKind, busyPoll);
        this.completionMode = CompletionMode.parse(busyPoll.getString("completion-mode"));
        this.pollWindowMaxNanos = busyPoll.getDuration("poll-window-max", TimeUnit.NANOSECONDS);
        if (pollWindowMaxNanos < 0)
        {
            throw new IllegalArgumentException("busy-poll.poll-window-max must not be negative");
        }
        if (busyPoll.getInt("task-queue-capacity") < 2 || busyPoll.getInt("tasks-per-cycle") < 1)
        {
            throw new IllegalArgumentException("busy-poll.task-queue-capacity must be >= 2 and tasks-per-cycle >= 1");
        }
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(final String id, final ThreadFactory threadFactory)
    {
        // Named like Akka's own threads ("<system>-<dispatcher id>") so they can be told apart per system.
        final String prefix = threadFactory instanceof MonitorableThreadFactory monitorable ? monitorable.name() : "nvmeq";
        final String threadName = prefix + "-" + id;
        return () -> new BusyPollExecutor(
            threadName,
            cpu,
            IdleStrategies.create(idleKind, busyPoll),
            IdleStrategies.parkThreshold(idleKind, busyPoll),
            busyPoll.getInt("task-queue-capacity"),
            busyPoll.getInt("tasks-per-cycle"),
            completionMode,
            pollWindowMaxNanos,
            busyPoll.getDuration("max-park", TimeUnit.NANOSECONDS));
    }
}
