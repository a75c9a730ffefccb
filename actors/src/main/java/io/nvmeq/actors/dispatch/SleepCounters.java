package io.nvmeq.actors.dispatch;

import io.nvmeq.engine.OrderedCounter;

/**
 * How a queue-pair thread waited: its sleeps on the eventfds, the wake-ups an interrupt caused, the
 * wake-ups that found nothing to do, and the idle spells its poll window caught without a sleep.
 * Single writer (the thread), ordered stores; read from any thread (JMX, the benchmark report).
 */
public final class SleepCounters
{
    private final OrderedCounter sleeps = new OrderedCounter();
    private final OrderedCounter interrupts = new OrderedCounter();
    private final OrderedCounter spuriousWakeups = new OrderedCounter();
    private final OrderedCounter pollWindowHits = new OrderedCounter();
    private final OrderedCounter pollWindowNanos = new OrderedCounter();

    /** Waits in ppoll on the thread's eventfds. */
    public long sleeps()
    {
        return sleeps.get();
    }

    /** Sleeps ended by a completion queue's interrupt vector. */
    public long interrupts()
    {
        return interrupts.get();
    }

    /** Sleeps ended by an eventfd after which the next duty cycle found no work. */
    public long spuriousWakeups()
    {
        return spuriousWakeups.get();
    }

    /** Idle spells that ended with work while the thread was still polling in its window (no sleep needed). */
    public long pollWindowHits()
    {
        return pollWindowHits.get();
    }

    /** The poll window now, ns (adaptive mode; 0 otherwise). */
    public long pollWindowNanos()
    {
        return pollWindowNanos.get();
    }

    void slept()
    {
        sleeps.increment();
    }

    void interrupted()
    {
        interrupts.increment();
    }

    void spuriousWakeup()
    {
        spuriousWakeups.increment();
    }

    void pollWindowHit()
    {
        pollWindowHits.increment();
    }

    void pollWindow(final long nanos)
    {
        pollWindowNanos.set(nanos);
    }
}
