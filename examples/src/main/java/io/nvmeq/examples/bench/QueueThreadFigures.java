package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;

import io.nvmeq.actors.QueuePairCounters;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.SleepCounters;

/**
 * The queue-pair threads of a run, each counted once (queue pairs on one CPU share a thread): their CPU
 * time (ThreadMXBean, the thread alone: fio's usr_cpu and sys_cpu are the whole process's) and how they
 * waited, read at the start of a workload and again at its end.
 */
final class QueueThreadFigures
{
    /** What the threads had used and counted at one moment. */
    record Reading(long atNanos, long cpuNanos, long sleeps, long interrupts, long spuriousWakeups, long pollWindowHits)
    {
        /** CPU time of the threads together as % of one core since {@code earlier} (100 = one core busy). */
        double cpuPercentSince(final Reading earlier)
        {
            final long wall = Math.max(1, atNanos - earlier.atNanos);
            return 100.0 * Math.max(0, cpuNanos - earlier.cpuNanos) / wall;
        }
    }

    private final List<QueuePairCounters> queuePairs;

    QueueThreadFigures(final List<QueuePairCounters> queuePairs)
    {
        this.queuePairs = List.copyOf(queuePairs);
    }

    /** The distinct threads now: a queue pair publishes its thread once its actor has started. */
    private List<BusyPollExecutor> threads()
    {
        final List<BusyPollExecutor> distinct = new ArrayList<>();
        for (final QueuePairCounters counters : queuePairs)
        {
            final BusyPollExecutor executor = counters.executor();
            if (executor != null && !distinct.contains(executor))
            {
                distinct.add(executor);
            }
        }
        return distinct;
    }

    /** How many distinct queue-pair threads (0 in self-poll mode, whose threads are Akka's). */
    int threadCount()
    {
        return threads().size();
    }

    Reading read()
    {
        long cpu = 0;
        long sleeps = 0;
        long interrupts = 0;
        long spurious = 0;
        long hits = 0;
        for (final BusyPollExecutor thread : threads())
        {
            cpu += Math.max(0, thread.cpuTimeNanos());
            final SleepCounters counters = thread.sleepCounters();
            sleeps += counters.sleeps();
            interrupts += counters.interrupts();
            spurious += counters.spuriousWakeups();
            hits += counters.pollWindowHits();
        }
        return new Reading(System.nanoTime(), cpu, sleeps, interrupts, spurious, hits);
    }
}
