package io.nvmeq.actors;

import java.time.Duration;
import java.util.List;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.BusyPollThread;
import io.nvmeq.actors.dispatch.Poller;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * Owns one engine {@link QueuePair} alone: submits requests as they arrive, lets the doorbell be
 * rung once per burst, reaps completions and answers each request exactly once.
 *
 * <p>On a busy-poll dispatcher the actor registers itself as a {@link Poller} with the thread it
 * runs on, so completions are reaped between mailbox runs on that same thread and the actor's state
 * is never touched concurrently. On any other dispatcher (poll-mode self-poll) it sends itself
 * {@code Poll} messages while commands are in flight.
 *
 * <p>A full hardware queue parks requests in a bounded backlog, served first as completions free
 * room; past its bound a request is answered with {@link BackpressureException}. Bad input is
 * answered with the engine's InvalidRequestException and nothing is submitted.
 *
 * <p>Failure: any exception in the actor (in a message, in polling, a queue the controller dropped,
 * an injected {@link QueuePairCommand.Crash}) restarts the behaviour. The requests live in a
 * {@link QueuePairState} that outlives the restart: on {@code PreRestart} the NVMe queues are deleted
 * (the controller completes or aborts what it holds before confirming), and what was in flight is
 * queued for re-submission or answered with a typed error; the new incarnation waits a backoff, re-creates
 * the queues and re-submits. The actor's reference stays the same throughout.
 */
public final class QueuePairActor extends AbstractBehavior<QueuePairCommand> implements Poller
{
    /** Messages the actor sends itself or gets from its supervisor. */
    sealed interface Internal extends QueuePairCommand
        permits Poll, PollFailed, Stop, Drained, DrainTimedOut, Recreate, GiveUp
    {
    }

    /** Self-poll mode: reap completions once. */
    record Poll() implements Internal
    {
    }

    /** Busy-poll mode: polling threw, or the queue turned out broken: restart. */
    record PollFailed(Throwable cause) implements Internal
    {
    }

    /** From the supervisor: finish what is in flight (bounded), then stop and delete the queues. */
    record Stop(Duration drainTimeout) implements Internal
    {
    }

    /** Busy-poll mode: while stopping, nothing is left in flight. */
    record Drained() implements Internal
    {
    }

    record DrainTimedOut() implements Internal
    {
    }

    /** After a failure's backoff: create the NVMe queues again. */
    record Recreate() implements Internal
    {
    }

    /** Too many failures in a row, or the controller did not confirm deleting the queues: stop. */
    record GiveUp(String reason) implements Internal
    {
    }

    private static final Poll POLL = new Poll();
    private static final Drained DRAINED = new Drained();
    private static final Recreate RECREATE = new Recreate();
    private static final Object DRAIN_TIMER = "drain";
    private static final Object RECREATE_TIMER = "recreate";

    private final NvmeController controller;
    private final QueuePairState state;
    private final ActorRef<ControllerCommand> supervisor;
    private final DeviceHeldRequests heldByDevice;
    private final TimerScheduler<QueuePairCommand> timers;
    private final int requestedCpu;
    private final BusyPollExecutor executor;
    private final int pinnedCpu;
    private final int threadId;
    private final String threadName;

    private boolean pollScheduled;
    private boolean drainedSent;
    private boolean registered;
    private boolean crashOnNextPoll;
    private String crashReason;

    /**
     * A queue-pair actor with its own counters, the default recovery settings and no supervisor to
     * hand requests to that the device may still hold.
     *
     * @param controller   the controller (admin operations are thread-safe), to delete the queues when stopping
     * @param queuePair    the queue pair this actor owns from now on
     * @param cpu          the CPU it runs on (pinned by its busy-poll thread, or by the actor in self-poll mode); -1 = any
     * @param backlogLimit requests held while the hardware queue is full
     */
    public static Behavior<QueuePairCommand> create(
        final NvmeController controller,
        final QueuePair queuePair,
        final int cpu,
        final int backlogLimit)
    {
        return create(controller, queuePair, cpu, backlogLimit, NvmeqSettings.load().recovery(), new QueuePairCounters(),
            null, null);
    }

    /**
     * @param recovery   how failures are recovered from
     * @param counters   where the queue pair counts its work (read them from any thread)
     * @param supervisor   told {@link ControllerSupervisor.HeldByDevice} if the actor stops while the
     *                     controller did not confirm deleting its queue; may be null (with heldByDevice)
     * @param heldByDevice where such requests go, to be answered once the controller is closed
     */
    static Behavior<QueuePairCommand> create(
        final NvmeController controller,
        final QueuePair queuePair,
        final int cpu,
        final int backlogLimit,
        final NvmeqSettings.Recovery recovery,
        final QueuePairCounters counters,
        final ActorRef<ControllerCommand> supervisor,
        final DeviceHeldRequests heldByDevice)
    {
        return Behaviors.setup(outer ->
        {
            // Created once: the restarts below re-run only the inner setup, around the same state.
            final QueuePairState state = new QueuePairState(controller, queuePair, backlogLimit, recovery, counters);
            final Behavior<QueuePairCommand> incarnation = Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new QueuePairActor(context, timers, controller, state, supervisor, heldByDevice, cpu)));
            // Our own failures are logged by PreRestart in one line; anything else by Akka, with its stack trace.
            return Behaviors.supervise(
                    Behaviors.supervise(incarnation)
                        .onFailure(QueuePairFailure.class, SupervisorStrategy.restart().withLoggingEnabled(false)))
                .onFailure(Exception.class, SupervisorStrategy.restart());
        });
    }

    private QueuePairActor(
        final ActorContext<QueuePairCommand> context,
        final TimerScheduler<QueuePairCommand> timers,
        final NvmeController controller,
        final QueuePairState state,
        final ActorRef<ControllerCommand> supervisor,
        final DeviceHeldRequests heldByDevice,
        final int cpu)
    {
        super(context);
        this.heldByDevice = heldByDevice;
        this.controller = controller;
        this.state = state;
        this.supervisor = supervisor;
        this.timers = timers;
        this.requestedCpu = cpu;

        // Setup runs on the thread the actor is dispatched on: that thread's executor polls for us.
        final BusyPollThread thread = BusyPollThread.current();
        if (thread != null)
        {
            executor = thread.executor();
            pinnedCpu = thread.pinnedCpu();
            threadId = thread.threadId();
        }
        else
        {
            executor = null;
            pinnedCpu = pinSelf(context, cpu);
            threadId = CpuAffinity.currentThreadId();
        }
        threadName = Thread.currentThread().getName();

        if (state.hasQueue())
        {
            registerPoller();
            context.getLog().debug("queue pair {} ({} entries) on {} (CPU {}, {})", state.queueId, state.entries,
                threadName, pinnedCpu, executor != null ? "busy-poll" : "self-poll");
        }
        else if (state.deviceMayHold())
        {
            context.getSelf().tell(new GiveUp("the controller did not confirm deleting its queues"));
        }
        else if (state.failuresInARow() > state.recovery.maxRestarts())
        {
            context.getSelf().tell(new GiveUp(state.failuresInARow() + " failures in a row (max-restarts " +
                state.recovery.maxRestarts() + ")"));
        }
        else if (state.draining())
        {
            context.getSelf().tell(new GiveUp("it failed while stopping"));
        }
        else
        {
            final Duration backoff = state.recovery.backoff(state.failuresInARow());
            if (backoff.isZero())
            {
                context.getSelf().tell(RECREATE);
            }
            else
            {
                timers.startSingleTimer(RECREATE_TIMER, RECREATE, backoff);
            }
        }
    }

    /** Self-poll mode: the dispatcher has one thread of its own (see reference.conf), pinned here. */
    private static int pinSelf(final ActorContext<QueuePairCommand> context, final int cpu)
    {
        if (cpu < 0)
        {
            return -1;
        }
        try
        {
            CpuAffinity.pinCurrentThread(cpu);
            return cpu;
        }
        catch (final RuntimeException ex)
        {
            context.getLog().error("queue pair thread {} could not be pinned to CPU {}; it runs unpinned",
                Thread.currentThread().getName(), cpu, ex);
            return -1;
        }
    }

    @Override
    public Receive<QueuePairCommand> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(IoRequest.class, this::onRequest)
            .onMessage(Poll.class, this::onPoll)
            .onMessage(QueuePairCommand.GetStatus.class, this::onGetStatus)
            .onMessage(QueuePairCommand.Crash.class, this::onCrash)
            .onMessage(Stop.class, this::onStop)
            .onMessage(Drained.class, this::onDrained)
            .onMessage(DrainTimedOut.class, this::onDrainTimedOut)
            .onMessage(PollFailed.class, this::onPollFailed)
            .onMessage(Recreate.class, this::onRecreate)
            .onMessage(GiveUp.class, this::onGiveUp)
            .onSignal(PreRestart.class, signal -> onPreRestart())
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    private Behavior<QueuePairCommand> onRequest(final IoRequest request)
    {
        if (state.draining())
        {
            state.answer(request, new QueuePairStoppedException("queue pair " + state.queueId + " is stopping"));
            return this;
        }
        state.accept(request);
        if (state.broken())
        {
            throw new QueuePairFailure("queue pair " + state.queueId + ": the controller aborted its commands " +
                "(SQ deleted) on its own", null);
        }
        schedulePoll();
        return this;
    }

    /** Busy-poll mode: called by the executor on this actor's own thread between mailbox runs. */
    @Override
    public int poll()
    {
        if (!registered || state.inFlight() == 0)
        {
            // Nothing in flight, nothing to reap (and the backlog only fills while commands are in flight).
            return 0;
        }
        try
        {
            if (crashOnNextPoll)
            {
                throw new QueuePairFailure("injected failure while polling: " + crashReason, null);
            }
            final int work = state.poll();
            if (state.broken())
            {
                throw new QueuePairFailure("queue pair " + state.queueId + ": the controller aborted its commands " +
                    "(SQ deleted) on its own", null);
            }
            if (state.draining() && !drainedSent && state.idle())
            {
                drainedSent = true;
                getContext().getSelf().tell(DRAINED);
            }
            return work;
        }
        catch (final RuntimeException ex)
        {
            // Not inside a message: hand the failure to the actor so that supervision restarts it.
            unregisterPoller();
            getContext().getSelf().tell(new PollFailed(ex));
            return 1;
        }
    }

    @Override
    public boolean busy()
    {
        return registered && state.inFlight() > 0;
    }

    private void registerPoller()
    {
        if (executor != null && !registered)
        {
            executor.register(this);
        }
        registered = true;
    }

    private void unregisterPoller()
    {
        if (executor != null && registered)
        {
            executor.unregister(this);
        }
        registered = false;
    }

    private void schedulePoll()
    {
        if (executor == null && registered && !pollScheduled && state.inFlight() > 0)
        {
            pollScheduled = true;
            getContext().getSelf().tell(POLL);
        }
    }

    private Behavior<QueuePairCommand> onPoll(final Poll poll)
    {
        pollScheduled = false;
        if (!registered)
        {
            return this;
        }
        if (crashOnNextPoll)
        {
            throw new QueuePairFailure("injected failure while polling: " + crashReason, null);
        }
        state.poll();
        if (state.broken())
        {
            throw new QueuePairFailure("queue pair " + state.queueId + ": the controller aborted its commands " +
                "(SQ deleted) on its own", null);
        }
        if (state.draining() && state.idle())
        {
            return Behaviors.stopped();
        }
        schedulePoll();
        return this;
    }

    private Behavior<QueuePairCommand> onGetStatus(final QueuePairCommand.GetStatus request)
    {
        request.replyTo().tell(new QueuePairStatus(state.queueId, state.capacity(), state.inFlight(),
            state.backlogSize(), executor != null, requestedCpu, pinnedCpu, threadId, threadName));
        return this;
    }

    private Behavior<QueuePairCommand> onCrash(final QueuePairCommand.Crash crash)
    {
        if (crash.whilePolling() && registered && state.inFlight() > 0)
        {
            crashOnNextPoll = true;
            crashReason = crash.reason();
            return this;
        }
        throw new QueuePairFailure("injected failure: " + crash.reason(), null);
    }

    private Behavior<QueuePairCommand> onStop(final Stop stop)
    {
        state.startDraining();
        if (!state.hasQueue() || state.idle())
        {
            return Behaviors.stopped();
        }
        timers.startSingleTimer(DRAIN_TIMER, new DrainTimedOut(), stop.drainTimeout());
        return this;
    }

    private Behavior<QueuePairCommand> onDrained(final Drained drained)
    {
        return Behaviors.stopped();
    }

    private Behavior<QueuePairCommand> onDrainTimedOut(final DrainTimedOut timeout)
    {
        getContext().getLog().warn("queue pair {}: {} commands still in flight after the drain timeout; deleting the queue",
            state.queueId, state.inFlight());
        return Behaviors.stopped();
    }

    private Behavior<QueuePairCommand> onPollFailed(final PollFailed failed)
    {
        throw failed.cause() instanceof QueuePairFailure failure ? failure :
            new QueuePairFailure("queue pair " + state.queueId + " failed while polling", failed.cause());
    }

    private Behavior<QueuePairCommand> onRecreate(final Recreate recreate)
    {
        final int resubmitted;
        try
        {
            resubmitted = state.recreate();
        }
        catch (final RuntimeException ex)
        {
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", ex);
        }
        registerPoller();
        getContext().getLog().info("queue pair {} re-created its queues after failure {} in a row; {} requests re-submitted",
            state.queueId, state.failuresInARow(), resubmitted);
        schedulePoll();
        return this;
    }

    private Behavior<QueuePairCommand> onGiveUp(final GiveUp giveUp)
    {
        getContext().getLog().error("queue pair {} gives up and stops: {}", state.queueId, giveUp.reason());
        return Behaviors.stopped();
    }

    /**
     * The failed incarnation's last act, on its own thread: no more polling, the queues deleted, and
     * every request accounted for (see {@link QueuePairState#recoverAfterFailure()}).
     */
    private Behavior<QueuePairCommand> onPreRestart()
    {
        unregisterPoller();
        timers.cancelAll();
        state.recoverAfterFailure();
        getContext().getLog().warn("queue pair {} failed (failure {} in a row); its queues were deleted, {} requests " +
            "wait for the new ones", state.queueId, state.failuresInARow(), state.backlogSize());
        return this;
    }

    /**
     * Answers everything still held, exactly once: what waited never reached the device; deleting
     * the queues makes the device let go of the in-flight commands. Requests the device may still hold
     * (deletion not confirmed) go to the supervisor, which answers them once the controller is reset
     * or closed.
     */
    private Behavior<QueuePairCommand> onPostStop()
    {
        unregisterPoller();
        final List<IoRequest> held = state.stop();
        if (!held.isEmpty())
        {
            if (heldByDevice != null)
            {
                heldByDevice.addAll(held);
                supervisor.tell(new ControllerSupervisor.HeldByDevice(state.queueId, held.size()));
            }
            else
            {
                getContext().getLog().error("queue pair {} stopped while the controller may still hold {} of its " +
                    "commands, and no supervisor can reset it: answering them anyway", state.queueId, held.size());
                for (final IoRequest request : held)
                {
                    state.answer(request, new ControllerUnavailableException("queue pair " + state.queueId +
                        " stopped and the controller did not confirm deleting its queue"));
                }
            }
        }
        return this;
    }
}
