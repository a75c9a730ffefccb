package io.nvmeq.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.Signal;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.nvmeq.actors.QueuePairInternal.Created;
import io.nvmeq.actors.QueuePairInternal.DrainTimedOut;
import io.nvmeq.actors.QueuePairInternal.Drained;
import io.nvmeq.actors.QueuePairInternal.Poll;
import io.nvmeq.actors.QueuePairInternal.PollFailed;
import io.nvmeq.actors.QueuePairInternal.Reconnected;
import io.nvmeq.actors.QueuePairInternal.Recreate;
import io.nvmeq.actors.QueuePairInternal.Revive;
import io.nvmeq.actors.QueuePairInternal.Stop;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.BusyPollThread;
import io.nvmeq.actors.dispatch.Poller;
import io.nvmeq.engine.CompletionInterrupt;
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
 * {@link QueuePairState} that the restart leaves alone: after a backoff the engine reconnects the same
 * NVMe queue pair in place, as after a controller reset (see {@link QueuePairRestarts}): what was in
 * flight is re-submitted or answered with a typed error, then what waited is submitted. The actor's
 * reference stays the same throughout.
 *
 * <p>Why not {@code Behaviors.supervise(...)}: Akka's restart would serve as well (and did in a first
 * version, around the same state), but its interceptors (two supervisors and the timer scheduler)
 * allocated about 290 bytes per I/O on the data path; catching in the one dispatch method and
 * scheduling with {@code scheduleOnce} costs nothing per message. Errors (not exceptions) still stop
 * the actor, and PostStop answers everything.
 */
public final class QueuePairActor extends AbstractBehavior<QueuePairMessage> implements Poller, QueuePairRestarts.Owner
{
    private static final Poll POLL = new Poll();
    private static final Drained DRAINED = new Drained();

    private final NvmeController controller;
    /** Confined to this actor's thread ({@link LocalQueuePair} reads its clock there). */
    final QueuePairState state;
    private final ActorRef<QueuePairEvent> supervisor;
    private final int requestedCpu;
    private final BusyPollExecutor executor;
    private final int pinnedCpu;
    private final int threadId;
    private final String threadName;
    private final Thread ownThread;
    private final ActorRef<QueuePairMessage> self;

    private boolean pollScheduled;
    private boolean registered;
    /** Handling a message, or a request handed over by a call: a request told meanwhile waits in the mailbox. */
    private boolean inMessage;
    /** Its own mailbox, if it takes requests told on this thread by a call ({@link ArrayQueueMailbox}); else null. */
    private final ArrayQueueMailbox.ArrayMessageQueue directMailbox;
    /** Serving (not given up, not stopped): local submissions may go straight to the state. */
    private boolean serving = true;
    private final QueuePairRestarts restarts;
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
        // The queue pair's own counters if it was created with a QueuePairCounters: one set for engine and actor.
        final QueuePairCounters counters = queuePair.counters() instanceof QueuePairCounters given ? given
            : new QueuePairCounters();
        return create(controller, queuePair, cpu, backlogLimit, NvmeqSettings.load().recovery(), counters, null)
            .narrow();
    }

    /**
     * @param recovery     how failures are recovered from
     * @param counters     where the queue pair counts its work (read them from any thread)
     * @param supervisor   told {@link QueuePairEvent}s ({@link QueuePairEvent.GaveUp}); may be null
     * @return the behaviour on the wide protocol, for the supervisor (which tells it stop and revive);
     *         applications get its reference narrowed to {@link QueuePairCommand}
     */
    static Behavior<QueuePairMessage> create(
        final NvmeController controller,
        final QueuePair queuePair,
        final int cpu,
        final int backlogLimit,
        final NvmeqSettings.Recovery recovery,
        final QueuePairCounters counters,
        final ActorRef<QueuePairEvent> supervisor)
    {
        return Behaviors.setup(context -> new QueuePairActor(context, controller,
            new QueuePairState(controller, queuePair, backlogLimit, recovery, counters), supervisor, cpu));
    }

    private QueuePairActor(
        final ActorContext<QueuePairMessage> context,
        final NvmeController controller,
        final QueuePairState state,
        final ActorRef<QueuePairEvent> supervisor,
        final int cpu)
    {
        super(context);
        this.controller = controller;
        this.state = state;
        this.supervisor = supervisor;
        this.requestedCpu = cpu;
        this.restarts = new QueuePairRestarts(this, state, context);

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
            state.counters.runsOn(executor);
        }
        directMailbox = executor != null ? ArrayQueueMailbox.submitDirectlyTo(context, this) : null;

        registerPoller();
        context.getLog().debug("queue pair {} ({} entries) on {} (CPU {}, {})", state.queueId, state.entries,
            threadName, pinnedCpu, executor != null ? "busy-poll" : "self-poll");
    }

    /** Self-poll mode: the dispatcher has one thread of its own (see reference.conf), pinned here. */
    private static int pinSelf(final ActorContext<QueuePairMessage> context, final int cpu)
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
    public Receive<QueuePairMessage> createReceive()
    {
        // Not newReceiveBuilder(): its matching allocates (an OptionVal) for every message.
        return new Receive<>()
        {
            @Override
            public Behavior<QueuePairMessage> receiveMessage(final QueuePairMessage command)
            {
                return dispatch(command);
            }

            @Override
            public Behavior<QueuePairMessage> receiveSignal(final Signal signal)
            {
                return signal instanceof PostStop ? onPostStop() : Behaviors.unhandled();
            }
        };
    }

    /** One entry for every message, so that any exception in handling one restarts the actor. */
    private Behavior<QueuePairMessage> dispatch(final QueuePairMessage command)
    {
        inMessage = true;
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
            if (command instanceof Reconnected reconnected)
            {
                return restarts.onReconnected(reconnected);
            }
            if (command instanceof Created created)
            {
                return restarts.onCreated(created);
            }
            if (command instanceof Revive)
            {
                return this; // serving already
            }
            return restarts.onRecreate((Recreate)command);
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
        finally
        {
            inMessage = false;
        }
    }

    /** A request, or a chain of operations (each placed in turn, as if told one by one). */
    private Behavior<QueuePairMessage> onRequest(final IoRequest request)
    {
        if (request instanceof IoOperation first)
        {
            IoOperation next = first;
            try
            {
                while (next != null)
                {
                    // Unlinked before it is placed: once answered, the client may link it anew.
                    final IoOperation operation = next;
                    next = operation.takeNextRequest();
                    place(operation);
                }
            }
            catch (final RuntimeException ex)
            {
                // The rest of the chain was not placed: it waits for the restart like the request in hand.
                state.holdForRestart(next);
                throw ex;
            }
        }
        else
        {
            place(request);
        }
        failIfBroken();
        schedulePoll();
        return this;
    }

    private void place(final IoRequest request)
    {
        if (request instanceof IoOperation operation && !IoAnswers.take(operation, state.queueId, state.counters))
        {
            return;
        }
        if (state.draining())
        {
            state.answer(request, new QueuePairStoppedException("queue pair " + state.queueId + " is stopping"));
            return;
        }
        state.accept(request);
    }

    /**
     * {@link LocalQueuePair}: a co-located actor hands a request over by a call instead of a message, on
     * this thread. Whenever that is not safe (another thread, see {@link #submitDirectly}) it is told.
     */
    void submitLocal(final IoRequest request)
    {
        if (Thread.currentThread() != ownThread || !submitDirectly(request))
        {
            self.tell(request);
        }
    }

    /**
     * A request handed over by a call on this thread: from {@link LocalQueuePair}, or from the mailbox for a
     * request told on this thread while the mailbox was empty ({@link ArrayQueueMailbox}).
     *
     * @return false if it must go through the mailbox after all (recovering, failed, stopped, or this actor
     *         is handling a message of its own)
     */
    boolean submitDirectly(final IoRequest request)
    {
        if (!serving || !registered || inMessage)
        {
            return false;
        }
        // A request told while this one is placed (an answer told back to this queue pair) goes through the mailbox.
        inMessage = true;
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
        finally
        {
            inMessage = false;
        }
        return true;
    }

    /** A queue the controller dropped (its SQ deleted on its own) takes nothing more: the restart re-creates it. */
    private void failIfBroken()
    {
        if (state.broken())
        {
            throw new QueuePairFailure("queue pair " + state.queueId + ": the controller aborted its commands " +
                "(SQ deleted) on its own", null);
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
            failIfBroken();
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

    @Override
    public CompletionInterrupt interrupt()
    {
        return state.interrupt();
    }

    @Override
    public void registerPoller()
    {
        if (executor != null && !registered)
        {
            executor.register(this);
        }
        registered = true;
    }

    @Override
    public void unregisterPoller()
    {
        if (executor != null && registered)
        {
            executor.unregister(this);
        }
        registered = false;
    }

    @Override
    public void schedulePoll()
    {
        if (executor == null && registered && !pollScheduled && state.hasWork())
        {
            pollScheduled = true;
            getContext().getSelf().tell(POLL);
        }
    }

    private Behavior<QueuePairMessage> onPoll()
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
        failIfBroken();
        if (state.draining() && state.idle())
        {
            return Behaviors.stopped();
        }
        schedulePoll();
        return this;
    }

    private Behavior<QueuePairMessage> onGetStatus(final QueuePairCommand.GetStatus request)
    {
        request.replyTo().tell(new QueuePairStatus(state.queueId, state.capacity(), state.inFlight(),
            state.backlogSize(), executor != null, requestedCpu, pinnedCpu, threadId, threadName));
        return this;
    }

    private Behavior<QueuePairMessage> onCrash(final QueuePairCommand.Crash crash)
    {
        if (crash.whilePolling() && registered && state.inFlight() > 0)
        {
            crashOnNextPoll = true;
            crashReason = crash.reason();
            return this;
        }
        throw new QueuePairFailure("injected failure: " + crash.reason(), null, true);
    }

    private Behavior<QueuePairMessage> onStop(final Stop stop)
    {
        state.startDraining();
        if (!state.hasQueue() || state.idle())
        {
            return Behaviors.stopped();
        }
        getContext().scheduleOnce(stop.drainTimeout(), getContext().getSelf(), new DrainTimedOut(restarts.incarnation()));
        return this;
    }

    private Behavior<QueuePairMessage> onDrainTimedOut(final DrainTimedOut timeout)
    {
        if (timeout.incarnation() != restarts.incarnation())
        {
            // Failed and restarted since: the restart stops a draining queue pair by itself.
            return this;
        }
        getContext().getLog().warn("queue pair {}: {} commands still in flight after the drain timeout; deleting the queue",
            state.queueId, state.inFlight());
        return Behaviors.stopped();
    }

    /**
     * Past recovery: everything held is answered, and the actor stays as a tombstone that answers every request with
     * {@link QueuePairStoppedException}, so that nothing sent to its reference is lost, until it is
     * stopped. While shutting down it stops at once.
     */
    @Override
    public Behavior<QueuePairMessage> giveUp(final String reason)
    {
        getContext().getLog().error("queue pair {} gives up: {}", state.queueId, reason);
        serving = false;
        if (state.draining())
        {
            return Behaviors.stopped();
        }
        release();
        if (supervisor != null)
        {
            supervisor.tell(new QueuePairEvent.GaveUp(state.queueId));
        }
        final String why = "queue pair " + state.queueId + " gave up: " + reason;
        return Behaviors.receive(QueuePairMessage.class)
            .onMessage(IoRequest.class, request ->
            {
                IoAnswers.refuseAll(request, new QueuePairStoppedException(why), state);
                return Behaviors.same();
            })
            .onMessage(QueuePairCommand.GetStatus.class, this::onGetStatus)
            .onMessage(Stop.class, stop -> Behaviors.stopped())
            .onMessage(Revive.class, revive -> restarts.revive())
            .onAnyMessage(ignored -> Behaviors.same())
            .build();
    }

    /** Any failure: the restart in place (see {@link QueuePairRestarts}); injected crash state is cleared. */
    private Behavior<QueuePairMessage> restart(final Throwable cause)
    {
        crashOnNextPoll = false;
        crashReason = null;
        drainedSent = false;
        return restarts.restart(cause);
    }

    @Override
    public Behavior<QueuePairMessage> serving()
    {
        return this;
    }

    @Override
    public void serveAgain()
    {
        serving = true;
    }

    /**
     * Answers everything still held, exactly once: what waited never reached the device; deleting
     * the queues makes the device let go of the in-flight commands (if the controller does not confirm,
     * the engine answers them once the reset that follows has disabled it).
     */
    private Behavior<QueuePairMessage> onPostStop()
    {
        serving = false;
        if (executor != null)
        {
            executor.removeLocal(self);
        }
        if (directMailbox != null)
        {
            directMailbox.submitDirectlyTo(null);
        }
        release();
        return this;
    }

    /** Stops polling and answers everything held (idempotent); see {@link QueuePairState#stop()}. */
    private void release()
    {
        unregisterPoller();
        restarts.cancelTimer();
        state.stop();
    }
}
