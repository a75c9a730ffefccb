package io.nvmeq.actors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.nvmeq.actors.dispatch.DutyCycleTracker;

/**
 * Counters of one queue pair, across its restarts. Written by the queue pair's own thread only
 * (single writer: a plain read plus an ordered store, no lock and no fence on x86), read from any
 * thread, e.g. by JMX, with acquire semantics.
 */
public final class QueuePairCounters
{
    private static final VarHandle SUBMITTED;
    private static final VarHandle COMPLETED;
    private static final VarHandle ERRORS;
    private static final VarHandle RETRIED;
    private static final VarHandle REJECTED;
    private static final VarHandle POLLS;
    private static final VarHandle IDLE_POLLS;
    private static final VarHandle RESTARTS;
    private static final VarHandle IN_FLIGHT;
    private static final VarHandle BACKLOG;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUBMITTED = lookup.findVarHandle(QueuePairCounters.class, "submitted", long.class);
            COMPLETED = lookup.findVarHandle(QueuePairCounters.class, "completed", long.class);
            ERRORS = lookup.findVarHandle(QueuePairCounters.class, "errors", long.class);
            RETRIED = lookup.findVarHandle(QueuePairCounters.class, "retried", long.class);
            REJECTED = lookup.findVarHandle(QueuePairCounters.class, "rejected", long.class);
            POLLS = lookup.findVarHandle(QueuePairCounters.class, "polls", long.class);
            IDLE_POLLS = lookup.findVarHandle(QueuePairCounters.class, "idlePolls", long.class);
            RESTARTS = lookup.findVarHandle(QueuePairCounters.class, "restarts", long.class);
            IN_FLIGHT = lookup.findVarHandle(QueuePairCounters.class, "inFlight", int.class);
            BACKLOG = lookup.findVarHandle(QueuePairCounters.class, "backlog", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private long submitted;
    private long completed;
    private long errors;
    private long retried;
    private long rejected;
    private long polls;
    private long idlePolls;
    private long restarts;
    private int inFlight;
    private int backlog;

    /** The duty cycles of the thread this queue pair runs on; null in self-poll mode. */
    private volatile DutyCycleTracker dutyCycles;

    /** Publishes the duty-cycle figures of the busy-poll thread the queue pair runs on. */
    void dutyCycles(final DutyCycleTracker tracker)
    {
        dutyCycles = tracker;
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

    /** Commands handed to the device (re-submissions included). */
    public long submitted()
    {
        return (long)SUBMITTED.getAcquire(this);
    }

    /** Requests answered: Done or Failed, each request once. */
    public long completed()
    {
        return (long)COMPLETED.getAcquire(this);
    }

    /** Requests answered with Failed (device errors, refusals, backpressure, restarts). */
    public long errors()
    {
        return (long)ERRORS.getAcquire(this);
    }

    /** Re-submissions of requests that were in flight when the queue pair failed. */
    public long retried()
    {
        return (long)RETRIED.getAcquire(this);
    }

    /** Requests refused because the hardware queue and the backlog were full. */
    public long rejected()
    {
        return (long)REJECTED.getAcquire(this);
    }

    /** Completion-queue polls with commands in flight. */
    public long polls()
    {
        return (long)POLLS.getAcquire(this);
    }

    /** Of {@link #polls()}, those that found no completion. */
    public long idlePolls()
    {
        return (long)IDLE_POLLS.getAcquire(this);
    }

    /** Times the queue pair failed and was restarted. */
    public long restarts()
    {
        return (long)RESTARTS.getAcquire(this);
    }

    /** Commands in flight now (as last published by the queue pair's thread). */
    public int inFlight()
    {
        return (int)IN_FLIGHT.getAcquire(this);
    }

    /** Requests waiting in the backlog now (as last published). */
    public int backlog()
    {
        return (int)BACKLOG.getAcquire(this);
    }

    void onSubmitted()
    {
        SUBMITTED.setRelease(this, submitted + 1);
    }

    void onAnswered(final boolean failed)
    {
        COMPLETED.setRelease(this, completed + 1);
        if (failed)
        {
            ERRORS.setRelease(this, errors + 1);
        }
    }

    void onRetried()
    {
        RETRIED.setRelease(this, retried + 1);
    }

    void onRejected()
    {
        REJECTED.setRelease(this, rejected + 1);
    }

    void onPoll(final boolean idle)
    {
        POLLS.setRelease(this, polls + 1);
        if (idle)
        {
            IDLE_POLLS.setRelease(this, idlePolls + 1);
        }
    }

    void onRestart()
    {
        RESTARTS.setRelease(this, restarts + 1);
    }

    void occupancy(final int inFlight, final int backlog)
    {
        if (inFlight != this.inFlight)
        {
            IN_FLIGHT.setRelease(this, inFlight);
        }
        if (backlog != this.backlog)
        {
            BACKLOG.setRelease(this, backlog);
        }
    }
}
