package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayDeque;

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
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.nativeio.CpuAffinity;
import io.nvmeq.hw.spec.Opcodes;

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
 */
public final class QueuePairActor extends AbstractBehavior<QueuePairCommand> implements Poller, CompletionHandler
{
    /** Messages the actor sends itself or gets from its supervisor. */
    sealed interface Internal extends QueuePairCommand permits Poll, PollFailed, Stop, Drained, DrainTimedOut
    {
    }

    /** Self-poll mode: reap completions once. */
    record Poll() implements Internal
    {
    }

    /** Busy-poll mode: polling threw, so the queue pair is unusable. */
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

    private static final Poll POLL = new Poll();
    private static final Drained DRAINED = new Drained();
    private static final Object DRAIN_TIMER = "drain";

    private final NvmeController controller;
    private final QueuePair queuePair;
    private final TimerScheduler<QueuePairCommand> timers;
    private final RequestSlots slots;
    private final ArrayDeque<IoRequest> backlog;
    private final int backlogLimit;
    private final int requestedCpu;
    private final BusyPollExecutor executor;
    private final int pinnedCpu;
    private final int threadId;
    private final String threadName;

    private boolean pollScheduled;
    private boolean draining;
    private boolean drainedSent;
    private boolean stopped;

    /**
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
        // Stop, not restart: a restarted actor would lose its slot table while the device still owns
        // those commands. PostStop answers everything it held and deletes the queues.
        return Behaviors.supervise(Behaviors.<QueuePairCommand>setup(context -> Behaviors.withTimers(
                timers -> new QueuePairActor(context, timers, controller, queuePair, cpu, backlogLimit))))
            .onFailure(SupervisorStrategy.stop());
    }

    private QueuePairActor(
        final ActorContext<QueuePairCommand> context,
        final TimerScheduler<QueuePairCommand> timers,
        final NvmeController controller,
        final QueuePair queuePair,
        final int cpu,
        final int backlogLimit)
    {
        super(context);
        this.controller = controller;
        this.queuePair = queuePair;
        this.timers = timers;
        this.slots = new RequestSlots(queuePair.capacity());
        this.backlogLimit = backlogLimit;
        this.backlog = new ArrayDeque<>(Math.min(backlogLimit, 4096) + 1);
        this.requestedCpu = cpu;

        // Setup runs on the thread the actor is dispatched on: that thread's executor polls for us.
        final BusyPollThread thread = BusyPollThread.current();
        if (thread != null)
        {
            executor = thread.executor();
            executor.register(this);
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
        context.getLog().debug("queue pair {} ({} entries) on {} (CPU {}, {})", queuePair.id(), queuePair.capacity() + 1,
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
            .onMessage(IoRequest.class, this::onRequest)
            .onMessage(Poll.class, this::onPoll)
            .onMessage(QueuePairCommand.GetStatus.class, this::onGetStatus)
            .onMessage(Stop.class, this::onStop)
            .onMessage(Drained.class, this::onDrained)
            .onMessage(DrainTimedOut.class, this::onDrainTimedOut)
            .onMessage(PollFailed.class, this::onPollFailed)
            .onSignal(PostStop.class, signal -> onTermination())
            .onSignal(PreRestart.class, signal -> onTermination())
            .build();
    }

    private Behavior<QueuePairCommand> onRequest(final IoRequest request)
    {
        if (draining)
        {
            reply(request, new QueuePairStoppedException("queue pair " + queuePair.id() + " is stopping"));
        }
        else if (!backlog.isEmpty() || !trySubmit(request))
        {
            // Requests keep their order: once anything waits, newcomers wait behind it.
            if (backlog.size() < backlogLimit)
            {
                backlog.addLast(request);
            }
            else
            {
                reply(request, new BackpressureException("queue pair " + queuePair.id() + " is full: " +
                    slots.inUseCount() + " commands in flight and " + backlog.size() + " waiting (backlog " +
                    backlogLimit + ")"));
            }
        }
        schedulePoll();
        return this;
    }

    /**
     * Submits {@code request} unless the hardware queue is full. A request the engine refuses as bad
     * input is answered here (and counts as handled).
     *
     * @return false if the queue had no room (nothing submitted, nothing answered)
     */
    private boolean trySubmit(final IoRequest request)
    {
        final int opcode = opcodeOf(request);
        final int slot = slots.acquire(request.replyTo(), request.tag(), opcode);
        if (slot < 0)
        {
            return false;
        }
        final boolean accepted;
        try
        {
            if (request instanceof IoRequest.Read read)
            {
                accepted = queuePair.submitRead(read.nsid(), read.lba(), read.blocks(), read.buffer(), read.offset(),
                    this, slot);
            }
            else if (request instanceof IoRequest.Write write)
            {
                accepted = queuePair.submitWrite(write.nsid(), write.lba(), write.blocks(), write.buffer(),
                    write.offset(), write.fua(), this, slot);
            }
            else
            {
                accepted = queuePair.submitFlush(((IoRequest.Flush)request).nsid(), this, slot);
            }
        }
        catch (final NvmeException ex)
        {
            slots.release(slot);
            reply(request, ex);
            return true;
        }
        if (!accepted)
        {
            slots.release(slot);
        }
        return accepted;
    }

    private static int opcodeOf(final IoRequest request)
    {
        if (request instanceof IoRequest.Read)
        {
            return Opcodes.NVM_READ;
        }
        return request instanceof IoRequest.Write ? Opcodes.NVM_WRITE : Opcodes.NVM_FLUSH;
    }

    @Override
    public void onCompletion(final long token, final int status)
    {
        if (!slots.inUse(token))
        {
            // Answering it would be a second answer to somebody; make the engine bug loud instead.
            getContext().getLog().error("queue pair {}: completion for unknown token {} (status 0x{}) ignored",
                queuePair.id(), token, Integer.toHexString(status));
            return;
        }
        final int slot = (int)token;
        final long tag = slots.tag(slot);
        final int opcode = slots.opcode(slot);
        final var replyTo = slots.replyTo(slot);
        slots.release(slot);
        replyTo.tell(status == 0 ? new IoReply.Done(tag) : new IoReply.Failed(tag, IoErrors.commandFailed(opcode, status)));
    }

    /** Busy-poll mode: called by the executor on this actor's own thread between mailbox runs. */
    @Override
    public int poll()
    {
        // Nothing in flight, nothing to reap (and the backlog only fills while commands are in flight).
        if (stopped || slots.inUseCount() == 0)
        {
            return 0;
        }
        try
        {
            final int work = pollOnce();
            if (draining && !drainedSent && slots.inUseCount() == 0)
            {
                drainedSent = true;
                getContext().getSelf().tell(DRAINED);
            }
            return work;
        }
        catch (final RuntimeException ex)
        {
            // Not inside a message: hand the failure to the actor so supervision and PostStop run.
            stopped = true;
            executor.unregister(this);
            getContext().getSelf().tell(new PollFailed(ex));
            return 1;
        }
    }

    @Override
    public boolean busy()
    {
        return !stopped && slots.inUseCount() > 0;
    }

    private int pollOnce()
    {
        int work = queuePair.poll(slots.capacity());
        int submitted = 0;
        while (!backlog.isEmpty() && trySubmit(backlog.peekFirst()))
        {
            backlog.pollFirst();
            submitted++;
        }
        if (submitted > 0)
        {
            queuePair.ringDoorbell();
            work += submitted;
        }
        return work;
    }

    private void schedulePoll()
    {
        if (executor == null && !pollScheduled && slots.inUseCount() > 0)
        {
            pollScheduled = true;
            getContext().getSelf().tell(POLL);
        }
    }

    private Behavior<QueuePairCommand> onPoll(final Poll poll)
    {
        pollScheduled = false;
        pollOnce();
        if (draining && slots.inUseCount() == 0)
        {
            return Behaviors.stopped();
        }
        schedulePoll();
        return this;
    }

    private Behavior<QueuePairCommand> onGetStatus(final QueuePairCommand.GetStatus request)
    {
        request.replyTo().tell(new QueuePairStatus(queuePair.id(), slots.capacity(), slots.inUseCount(), backlog.size(),
            executor != null, requestedCpu, pinnedCpu, threadId, threadName));
        return this;
    }

    private Behavior<QueuePairCommand> onStop(final Stop stop)
    {
        draining = true;
        if (slots.inUseCount() == 0 && backlog.isEmpty())
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
            queuePair.id(), slots.inUseCount());
        return Behaviors.stopped();
    }

    private Behavior<QueuePairCommand> onPollFailed(final PollFailed failed)
    {
        getContext().getLog().error("queue pair {} failed while polling and stops", queuePair.id(), failed.cause());
        return Behaviors.stopped();
    }

    /**
     * Answers everything still held, exactly once: the backlog never reached the device; deleting the
     * queues makes the device let go of the in-flight commands (the engine completes them), and any
     * the engine did not answer are failed here.
     */
    private Behavior<QueuePairCommand> onTermination()
    {
        if (executor != null && !stopped)
        {
            executor.unregister(this);
        }
        stopped = true;
        IoRequest waiting;
        while ((waiting = backlog.pollFirst()) != null)
        {
            reply(waiting, new QueuePairStoppedException("queue pair " + queuePair.id() + " stopped before the request ran"));
        }
        try
        {
            controller.deleteQueuePair(queuePair);
        }
        catch (final RuntimeException ex)
        {
            getContext().getLog().error("queue pair {}: deleting its queues failed", queuePair.id(), ex);
        }
        for (final int slot : slots.slotsInUse())
        {
            final long tag = slots.tag(slot);
            final var replyTo = slots.replyTo(slot);
            slots.release(slot);
            replyTo.tell(new IoReply.Failed(tag, new QueuePairStoppedException(
                "queue pair " + queuePair.id() + " stopped with the request in flight")));
        }
        return this;
    }

    private static void reply(final IoRequest request, final NvmeException error)
    {
        request.replyTo().tell(new IoReply.Failed(request.tag(), error));
    }
}
