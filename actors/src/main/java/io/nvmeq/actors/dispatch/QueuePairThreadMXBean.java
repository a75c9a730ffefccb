package io.nvmeq.actors.dispatch;

/**
 * One queue-pair thread (a busy-poll executor's) over JMX, registered while the thread runs as
 * {@code io.nvmeq:type=QueuePairThread,name=<quoted thread name>,id=<Java thread id>}. Values are totals
 * since the thread started; the queue pairs on it are in {@code io.nvmeq:type=QueuePair,...}.
 */
public interface QueuePairThreadMXBean
{
    String getThreadName();

    /** busy-poll, adaptive or interrupt. */
    String getCompletionMode();

    /** The CPU the thread is pinned to, -1 if none. */
    int getPinnedCpu();

    /** CPU time the thread used, ns (ThreadMXBean), -1 where the JVM does not measure it. */
    long getCpuTimeNanos();

    /** Waits in ppoll on the interrupt and wake-up eventfds. */
    long getSleeps();

    /** Sleeps ended by a completion queue's interrupt vector. */
    long getInterrupts();

    /** Sleeps ended by an eventfd after which the next duty cycle found no work. */
    long getSpuriousWakeups();

    /** Idle spells that ended with work while the thread still polled in its window. */
    long getPollWindowHits();

    /** The learned poll window now, ns (adaptive mode). */
    long getPollWindowNanos();

    /** The longest duty cycle, ns. */
    long getMaxDutyCycleNanos();
}
