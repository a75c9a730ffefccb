package io.nvmeq.actors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
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
 * an injected {@link QueuePairCommand.Crash}) restarts it in place. The requests live in a
 * {@link QueuePairState} that the restart leaves alone: the NVMe queues are deleted (the controller
 * completes or aborts what it holds before confirming), what was in flight is queued for re-submission
 * or answered with a typed error, and after a backoff the queues are re-created and the held requests
 * re-submitted. The actor's reference stays the same throughout.
 *
 * <p>Why not {@code Behaviors.supervise(...)}: Akka's restart would serve as well (and did in a first
 * version, around the same state), but its interceptors (two supervisors and the timer scheduler)
 * allocated about 290 bytes per I/O on the data path; catching in the one dispatch method and
 * scheduling with {@code scheduleOnce} costs nothing per message. Errors (not exceptions) still stop
 * the actor, and PostStop answers everything.
 */
public final class QueuePairActor extends AbstractBehavior<QueuePairCommand> implements Poller
{
    /** Messages the actor sends itself or gets from its supervisor. */
    sealed interface Internal extends QueuePairCommand
        permits Poll, PollFailed, Stop, Drained, DrainTimedOut, Recreate, SqDeleted, CqDeleted, Created, Revive
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

    record DrainTimedOut(int incarnation) implements Internal
    {
    }

    /** After a failure's backoff: create the NVMe queues again (ignored if a later failure happened since). */
    record Recreate(int incarnation) implements Internal
    {
    }

    /** From the admin thread: the failed queue's SQ deletion ended ({@code error} null: confirmed). */
    record SqDeleted(int incarnation, Throwable error) implements Internal
    {
    }

    /** From the admin thread: its CQ deletion ended. */
    record CqDeleted(int incarnation, Throwable error) implements Internal
    {
    }

    /** From the admin thread: the new queues exist ({@code queuePair}), or could not be made ({@code error}). */
    record Created(int incarnation, QueuePair queuePair, Throwable error) implements Internal
    {
    }

    /** From the supervisor, a cool-down after this queue pair gave up: start afresh. */
    record Revive() implements Internal
    {
    }

    private static final Poll POLL = new Poll();
    private static final Drained DRAINED = new Drained();

    private final NvmeController controller;
    private final QueuePairState state;
    private final ActorRef<ControllerCommand> supervisor;
    private final DeviceHeldRequests heldByDevice;
    private final int requestedCpu;
    private final BusyPollExecutor executor;
    private final int pinnedCpu;
    private final int threadId;
    private final String threadName;
    private final Thread ownThread;
    private final ActorRef<QueuePairCommand> self;

    private boolean pollScheduled;
    private boolean registered;
    /** Serving (not given up, not stopped): local submissions may go straight to the state. */
    private boolean serving = true;
    /** Counts restarts; messages scheduled by an earlier incarnation carry its number and are ignored. */
    private int incarnation;
    private Cancellable recreateTimer;
    // Per incarnation: reset by a restart.
    private boolean drainedSent;
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
     * @param recovery     how failures are recovered from
     * @param counters     where the queue pair counts its work (read them from any thread)
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
        return Behaviors.setup(context -> new QueuePairActor(context, controller,
            new QueuePairState(controller, queuePair, backlogLimit, recovery, counters), supervisor, heldByDevice, cpu));
    }

    private QueuePairActor(
        final ActorContext<QueuePairCommand> context,
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
        ownThread = Thread.currentThread();
        self = context.getSelf();
        if (executor != null)
        {
            // For LocalQueuePair: co-located actors find this queue pair by its reference.
            executor.putLocal(self, this);
            state.counters.dutyCycles(executor.dutyCycles());
        }

        registerPoller();
        context.getLog().debug("queue pair {} ({} entries) on {} (CPU {}, {})", state.queueId, state.entries,
            threadName, pinnedCpu, executor != null ? "busy-poll" : "self-poll");
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
            .onMessage(QueuePairCommand.class, this::dispatch)
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    /** One entry for every message, so that any exception in handling one restarts the actor. */
    private Behavior<QueuePairCommand> dispatch(final QueuePairCommand command)
    {
        try
        {
            if (command instanceof IoRequest request)
            {
                return onRequest(request);
            }
            if (command instanceof Poll)
            {
                return onPoll();
            }
            if (command instanceof QueuePairCommand.GetStatus status)
            {
                return onGetStatus(status);
            }
            if (command instanceof QueuePairCommand.Crash crash)
            {
                return onCrash(crash);
            }
            if (command instanceof Stop stop)
            {
                return onStop(stop);
            }
            if (command instanceof Drained)
            {
                return Behaviors.stopped();
            }
            if (command instanceof DrainTimedOut timeout)
            {
                return onDrainTimedOut(timeout);
            }
            if (command instanceof PollFailed failed)
            {
                throw failed.cause();
            }
            if (command instanceof SqDeleted deleted)
            {
                return onSqDeleted(deleted);
            }
            if (command instanceof CqDeleted deleted)
            {
                return onCqDeleted(deleted);
            }
            if (command instanceof Created created)
            {
                return onCreated(created);
            }
            if (command instanceof Revive)
            {
                return this; // serving already
            }
            return onRecreate((Recreate)command);
        }
        catch (final RuntimeException ex)
        {
            return restart(ex);
        }
        catch (final Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            return restart(ex);
        }
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

    /**
     * {@link LocalQueuePair}: a co-located actor hands a request over by a call instead of a message,
     * on this thread, never while this actor handles a message of its own. Whenever the direct path is
     * not safe (another thread, recovering, failed, stopped) the request goes through the mailbox.
     */
    void submitLocal(final IoRequest request)
    {
        if (!serving || !registered || Thread.currentThread() != ownThread)
        {
            self.tell(request);
            return;
        }
        try
        {
            onRequest(request);
        }
        catch (final RuntimeException ex)
        {
            // As in poll(): restart through the mailbox; the request is held (in hand) by the state.
            unregisterPoller();
            self.tell(new PollFailed(ex));
        }
    }

    /** Busy-poll mode: called by the executor on this actor's own thread between mailbox runs. */
    @Override
    public int poll()
    {
        if (!registered || !state.hasWork())
        {
            // Nothing in flight and nothing waiting: nothing to reap.
            return 0;
        }
        try
        {
            if (crashOnNextPoll)
            {
                throw new QueuePairFailure("injected failure while polling: " + crashReason, null, true);
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
            // Not inside a message: hand the failure to the actor, which restarts on its own thread.
            unregisterPoller();
            getContext().getSelf().tell(new PollFailed(ex));
            return 1;
        }
    }

    @Override
    public boolean busy()
    {
        return registered && state.hasWork();
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
        if (executor == null && registered && !pollScheduled && state.hasWork())
        {
            pollScheduled = true;
            getContext().getSelf().tell(POLL);
        }
    }

    private Behavior<QueuePairCommand> onPoll()
    {
        pollScheduled = false;
        if (!registered)
        {
            return this;
        }
        if (crashOnNextPoll)
        {
            throw new QueuePairFailure("injected failure while polling: " + crashReason, null, true);
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
        throw new QueuePairFailure("injected failure: " + crash.reason(), null, true);
    }

    private Behavior<QueuePairCommand> onStop(final Stop stop)
    {
        state.startDraining();
        if (!state.hasQueue() || state.idle())
        {
            return Behaviors.stopped();
        }
        getContext().scheduleOnce(stop.drainTimeout(), getContext().getSelf(), new DrainTimedOut(incarnation));
        return this;
    }

    private Behavior<QueuePairCommand> onDrainTimedOut(final DrainTimedOut timeout)
    {
        if (timeout.incarnation() != incarnation)
        {
            // Failed and restarted since: the restart stops a draining queue pair by itself.
            return this;
        }
        getContext().getLog().warn("queue pair {}: {} commands still in flight after the drain timeout; deleting the queue",
            state.queueId, state.inFlight());
        return Behaviors.stopped();
    }

    private Behavior<QueuePairCommand> onRecreate(final Recreate recreate)
    {
        if (recreate.incarnation() != incarnation || state.hasQueue())
        {
            return this;
        }
        recreateTimer = null;
        final int current = incarnation;
        try
        {
            state.recreate().whenComplete((created, error) -> self.tell(new Created(current, created, error)));
        }
        catch (final RuntimeException ex)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", ex);
        }
        return this;
    }

    private Behavior<QueuePairCommand> onCreated(final Created created)
    {
        if (created.incarnation() != incarnation)
        {
            return this;
        }
        if (created.error() != null)
        {
            state.creationFailed();
            throw new QueuePairFailure("queue pair " + state.queueId + ": re-creating its queues failed", created.error());
        }
        final int resubmitted = state.attach(created.queuePair());
        registerPoller();
        getContext().getLog().info("queue pair {} re-created its queues after failure {} in a row; {} requests re-submitted",
            state.queueId, state.failuresInARow(), resubmitted);
        schedulePoll();
        return this;
    }

    private Behavior<QueuePairCommand> onSqDeleted(final SqDeleted deleted)
    {
        if (deleted.incarnation() != incarnation)
        {
            return this;
        }
        if (deleted.error() != null)
        {
            return deletionFailed(deleted.error());
        }
        final int current = incarnation;
        state.afterSubmissionQueueDeleted().whenComplete((ok, error) -> self.tell(new CqDeleted(current, error)));
        return this;
    }

    private Behavior<QueuePairCommand> onCqDeleted(final CqDeleted deleted)
    {
        if (deleted.incarnation() != incarnation)
        {
            return this;
        }
        if (deleted.error() != null)
        {
            return deletionFailed(deleted.error());
        }
        state.afterDeletion(true);
        return afterDeletion();
    }

    private Behavior<QueuePairCommand> deletionFailed(final Throwable error)
    {
        getContext().getLog().error("queue pair {}: deleting its queues failed; its {} commands are held until the " +
            "controller is reset or closed", state.queueId, state.inFlight(), error);
        state.afterDeletion(false);
        return giveUp("the controller did not confirm deleting its queues");
    }

    /** The failed queues are gone: after a back-off new ones, or, past max-restarts, give up. */
    private Behavior<QueuePairCommand> afterDeletion()
    {
        unregisterPoller();
        if (state.failuresInARow() > state.recovery.maxRestarts())
        {
            return giveUp(state.failuresInARow() + " failures in a row (max-restarts " + state.recovery.maxRestarts() +
                ")");
        }
        if (state.draining())
        {
            return giveUp("it failed while stopping");
        }
        final Duration backoff = state.recovery.backoff(state.failuresInARow());
        if (backoff.isZero())
        {
            self.tell(new Recreate(incarnation));
        }
        else
        {
            recreateTimer = getContext().scheduleOnce(backoff, self, new Recreate(incarnation));
        }
        return this;
    }

    /**
     * Past recovery: everything held is answered (or handed to the supervisor if the device may still
     * hold it), and the actor stays as a tombstone that answers every request with
     * {@link QueuePairStoppedException}, so that nothing sent to its reference is lost, until it is
     * stopped. While shutting down it stops at once.
     */
    private Behavior<QueuePairCommand> giveUp(final String reason)
    {
        getContext().getLog().error("queue pair {} gives up: {}", state.queueId, reason);
        serving = false;
        if (state.draining())
        {
            return Behaviors.stopped();
        }
        release();
        if (supervisor != null && !state.deviceMayHold())
        {
            supervisor.tell(new ControllerSupervisor.QueuePairGaveUp(state.queueId));
        }
        final String why = "queue pair " + state.queueId + " gave up: " + reason;
        return Behaviors.receive(QueuePairCommand.class)
            .onMessage(IoRequest.class, request ->
            {
                state.answer(request, new QueuePairStoppedException(why));
                return Behaviors.same();
            })
            .onMessage(QueuePairCommand.GetStatus.class, this::onGetStatus)
            .onMessage(Stop.class, stop -> Behaviors.stopped())
            .onMessage(Revive.class, revive -> revive())
            .onAnyMessage(ignored -> Behaviors.same())
            .build();
    }

    /**
     * After a cool-down (as SPDK reconnects a failed qpair): the tombstone serves again with new queues,
     * its failures in a row forgotten.
     */
    private Behavior<QueuePairCommand> revive()
    {
        getContext().getLog().info("queue pair {} comes back after giving up: re-creating its queues", state.queueId);
        serving = true;
        incarnation++;
        state.revive();
        self.tell(new Recreate(incarnation));
        return this;
    }

    /**
     * Restarts the actor in place, on its own thread: the queues deleted without waiting (it goes on
     * reaping what the controller completes meanwhile), every request accounted for (see
     * {@link QueuePairState#afterDeletion}), then after a backoff new queues (or, past max-restarts or if
     * the controller did not confirm the deletion, a stop). A failure while an earlier one is still being
     * recovered from (its queues not yet re-created) is the same outage, not one more in a row.
     */
    private Behavior<QueuePairCommand> restart(final Throwable cause)
    {
        crashOnNextPoll = false;
        crashReason = null;
        if (state.restarting())
        {
            getContext().getLog().info("queue pair {} failed again while recovering ({}); not counted as a failure in a row",
                state.queueId, cause.getMessage());
            return this;
        }
        incarnation++;
        drainedSent = false;
        if (recreateTimer != null)
        {
            recreateTimer.cancel();
            recreateTimer = null;
        }
        state.beginRecovery();
        if (cause instanceof QueuePairFailure failure && failure.injected())
        {
            getContext().getLog().info("queue pair {} failed (failure {} in a row): {}; deleting its queues, {} " +
                "requests wait for new ones", state.queueId, state.failuresInARow(), cause.getMessage(), state.backlogSize());
        }
        else if (cause instanceof QueuePairFailure)
        {
            getContext().getLog().warn("queue pair {} failed (failure {} in a row): {}{}; deleting its queues, {} " +
                "requests wait for new ones", state.queueId, state.failuresInARow(), cause.getMessage(),
                cause.getCause() != null ? " (" + cause.getCause() + ")" : "", state.backlogSize());
        }
        else
        {
            getContext().getLog().error("queue pair {} failed (failure {} in a row); deleting its queues, {} requests " +
                "wait for new ones", state.queueId, state.failuresInARow(), state.backlogSize(), cause);
        }
        final CompletableFuture<Void> deletion = state.sqDeletion();
        if (deletion == null)
        {
            state.afterDeletion(true);
            return afterDeletion();
        }
        registerPoller();
        final int current = incarnation;
        deletion.whenComplete((ok, error) -> self.tell(new SqDeleted(current, error)));
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
        serving = false;
        if (executor != null)
        {
            executor.removeLocal(self);
        }
        release();
        return this;
    }

    /** Stops polling and answers everything held (idempotent); see {@link QueuePairState#stop()}. */
    private void release()
    {
        unregisterPoller();
        if (recreateTimer != null)
        {
            recreateTimer.cancel();
            recreateTimer = null;
        }
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
    }
}
