package io.nvmeq.actors;

import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.DutyCycleTracker;
import io.nvmeq.engine.IoCounters;
import io.nvmeq.engine.OrderedCounter;

/**
 * The one set of counters of one queue pair, across its restarts and the controller's resets: the
 * engine's (paths, splits, command retries, Aborts, timeouts, reconnections: {@link IoCounters}) and the
 * actor's (requests answered, refusals, polls, restarts, occupancy) in one object, given to every
 * incarnation of its NVMe queues. Written by the queue pair's own thread only, with ordered stores
 * ({@link OrderedCounter}), read from any thread: by JMX ({@link QueuePairMXBean}), the supervisor's
 * health answer and the benchmark report.
 */
public final class QueuePairCounters extends IoCounters
{
    private final OrderedCounter submitted = new OrderedCounter();
    private final OrderedCounter completed = new OrderedCounter();
    private final OrderedCounter errors = new OrderedCounter();
    private final OrderedCounter retried = new OrderedCounter();
    private final OrderedCounter rejected = new OrderedCounter();
    private final OrderedCounter polls = new OrderedCounter();
    private final OrderedCounter idlePolls = new OrderedCounter();
    private final OrderedCounter restarts = new OrderedCounter();
    private final OrderedCounter inFlight = new OrderedCounter();
    private final OrderedCounter backlog = new OrderedCounter();

    /** The duty cycles of the thread this queue pair runs on (that thread's own counters); null in self-poll mode. */
    private volatile DutyCycleTracker dutyCycles;
    /** The busy-poll thread this queue pair runs on; null in self-poll mode. */
    private volatile BusyPollExecutor executor;

    /** Publishes the busy-poll thread the queue pair runs on, with its duty-cycle and sleep figures. */
    void runsOn(final BusyPollExecutor executor)
    {
        this.dutyCycles = executor.dutyCycles();
        this.executor = executor;
    }

    /**
     * The busy-poll thread this queue pair runs on (its {@link BusyPollExecutor#sleepCounters()} and CPU
     * time), null in self-poll mode. Queue pairs on one CPU share it: count a thread once.
     */
    public BusyPollExecutor executor()
    {
        return executor;
    }

    /** The longest duty cycle of the queue pair's busy-poll thread, ns; 0 in self-poll mode. */
    public long maxDutyCycleNanos()
    {
        final DutyCycleTracker tracker = dutyCycles;
        return tracker == null ? 0 : tracker.maxCycleNanos();
    }

    /** Duty cycles of that thread longer than {@link DutyCycleTracker#DEFAULT_THRESHOLD_NANOS}. */
    public long dutyCyclesOverThreshold()
    {
        final DutyCycleTracker tracker = dutyCycles;
        return tracker == null ? 0 : tracker.cyclesOverThreshold();
    }

    /** Requests handed to the engine (re-submissions after a restart included). */
    public long submitted()
    {
        return submitted.get();
    }

    /** Requests answered: Done or Failed, each request once. */
    public long completed()
    {
        return completed.get();
    }

    /** Requests answered with Failed (device errors, refusals, backpressure, restarts). */
    public long errors()
    {
        return errors.get();
    }

    /** Re-submissions of requests that were in flight when the queue pair failed. */
    public long retried()
    {
        return retried.get();
    }

    /** Requests refused because the hardware queue and the backlog were full. */
    public long rejected()
    {
        return rejected.get();
    }

    /** Completion-queue polls with commands in flight. */
    public long polls()
    {
        return polls.get();
    }

    /** Of {@link #polls()}, those that found no completion. */
    public long idlePolls()
    {
        return idlePolls.get();
    }

    /** Times the queue pair failed and was restarted. */
    public long restarts()
    {
        return restarts.get();
    }

    /** Requests in flight now (as last published by the queue pair's thread). */
    public int inFlight()
    {
        return (int)inFlight.get();
    }

    /** Requests waiting in the backlog now (as last published). */
    public int backlog()
    {
        return (int)backlog.get();
    }

    void onSubmitted()
    {
        submitted.increment();
    }

    void onAnswered(final boolean failed)
    {
        completed.increment();
        if (failed)
        {
            errors.increment();
        }
    }

    void onRetried()
    {
        retried.increment();
    }

    void onRejected()
    {
        rejected.increment();
    }

    void onPoll(final boolean idle)
    {
        polls.increment();
        if (idle)
        {
            idlePolls.increment();
        }
    }

    void onRestart()
    {
        restarts.increment();
    }

    void occupancy(final int inFlightNow, final int backlogNow)
    {
        inFlight.set(inFlightNow);
        backlog.set(backlogNow);
    }

    @Override
    public String toString()
    {
        return "QueuePairCounters{submitted=" + submitted + ", completed=" + completed + ", errors=" + errors
            + ", retried=" + retried + ", rejected=" + rejected + ", restarts=" + restarts + ", inFlight=" + inFlight
            + ", backlog=" + backlog + ", engine=" + super.toString() + '}';
    }
}
