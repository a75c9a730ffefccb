package io.nvmeq.examples.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Signal;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.IoOperation;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.LocalQueuePair;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.BusyPollThread;
import io.nvmeq.engine.DmaBuffer;

/**
 * The actor path's load generator for one job: an actor spawned on its queue pair's own busy-poll dispatcher,
 * so that each request and its reply stay on one thread and CPU (run-to-completion, as in SPDK and Seastar).
 * It keeps {@code iodepth} requests outstanding, one reused {@link IoOperation} per slot with its own region of
 * a pre-allocated DMA buffer, and issues the next one from the answer of the last (or, with --rate_iops, when
 * a timer says its turn came). Nothing is allocated per I/O but Akka's envelope of each message.
 *
 * <p>Colocated (the default placement): operations go to the queue pair as messages and come back as messages,
 * chained both ways: the answers one completion poll finds come as one message, and the requests issued
 * while handling a message go out linked as one.
 * Tell: the plain form, each operation told on its own as it is issued and answered by a message of its own.
 * Local: each is handed over through a {@link LocalQueuePair} by a call, and answered by a call from the
 * queue pair's completion poll (no message at all); answers that arise elsewhere (refusals, restarts) still
 * come as messages, handled the same way.
 *
 * <p>The behaviour is typed {@code Object} so that the queue pair can answer the actor itself (its reference
 * narrowed to {@code IoReply}): a message adapter would allocate a wrapper per reply.
 */
final class ColocatedClient extends AbstractBehavior<Object> implements LocalQueuePair.Completions
{
    /** Issue the first {@code iodepth} requests. */
    record Start()
    {
    }

    /** Stop the actor (after the job finished). */
    record Stop()
    {
    }

    /** --rate_iops: the slot's next turn has come, or is to be timed (one instance per slot, made once). */
    record Retry(int slot)
    {
    }

    private final ActorRef<QueuePairCommand> queuePair;
    private final ActorRef<Object> self;
    private final LocalQueuePair local;
    /** The busy-poll thread's executor, whose cached clock times what comes by message; null on another dispatcher. */
    private final BusyPollExecutor executor;
    private final Worker worker;
    private final DmaBuffer buffer;
    private final int nsid;
    private final int bs;
    private final boolean fua;
    private final CountDownLatch finished;
    private final TimerScheduler<Object> timers;
    private final Retry[] retries;
    private final IoOperation[] operations;
    /** Requests issued within a message are told as one chain (else each on its own). */
    private final boolean chains;
    /** Told: the chain of requests issued within the current message, told as one when it is handled. */
    private IoOperation firstOut;
    private IoOperation lastOut;
    /** Within a message: timers may be used (not from the queue pair's poll, outside any message). */
    private boolean inMessage;
    private boolean signalled;
    /** The latest time {@link #now()} gave. */
    private long lastNow;

    /** @param placement {@link ClientPlacement#COLOCATED}, {@link ClientPlacement#TELL} or {@link ClientPlacement#LOCAL} */
    static Behavior<Object> create(final ActorRef<QueuePairCommand> queuePair, final Worker worker,
        final DmaBuffer buffer, final CountDownLatch finished, final ClientPlacement placement)
    {
        return Behaviors.withTimers(timers -> Behaviors.setup(context ->
            new ColocatedClient(context, timers, queuePair, worker, buffer, finished, placement)));
    }

    private ColocatedClient(final ActorContext<Object> context, final TimerScheduler<Object> timers,
        final ActorRef<QueuePairCommand> queuePair, final Worker worker, final DmaBuffer buffer,
        final CountDownLatch finished, final ClientPlacement placement)
    {
        super(context);
        this.timers = timers;
        this.retries = new Retry[worker.slots()];
        this.operations = new IoOperation[worker.slots()];
        this.self = context.getSelf();
        final ActorRef<IoReply> replyTo = self.narrow();
        final boolean local = placement == ClientPlacement.LOCAL;
        this.chains = placement == ClientPlacement.COLOCATED;
        for (int slot = 0; slot < retries.length; slot++)
        {
            retries[slot] = new Retry(slot);
            operations[slot] = chains ? IoOperation.chainingAnswers(replyTo) : new IoOperation(replyTo);
        }
        this.queuePair = queuePair;
        // Setup runs on the queue pair's thread: the handle exists unless the queue pair runs in self-poll mode.
        this.local = local ? LocalQueuePair.of(queuePair, this) : null;
        this.executor = BusyPollThread.currentExecutor();
        this.worker = worker;
        this.buffer = buffer;
        this.nsid = worker.job().spec.nsid();
        this.bs = worker.job().spec.bs();
        this.fua = worker.job().spec.fua();
        this.finished = finished;
    }

    @Override
    public Receive<Object> createReceive()
    {
        // Not newReceiveBuilder(): its matching allocates (an OptionVal) for every message.
        return new Receive<>()
        {
            @Override
            public Behavior<Object> receiveMessage(final Object message)
            {
                inMessage = true;
                try
                {
                    final Behavior<Object> next = onMessage(message);
                    flush();
                    return next;
                }
                finally
                {
                    inMessage = false;
                }
            }

            @Override
            public Behavior<Object> receiveSignal(final Signal signal)
            {
                return Behaviors.unhandled();
            }
        };
    }

    private Behavior<Object> onMessage(final Object message)
    {
        if (message instanceof IoOperation first)
        {
            // Each link is read before its answer is handled: handling prepares the operation anew.
            for (IoOperation operation = first, next; operation != null; operation = next)
            {
                next = operation.nextAnswer();
                onAnswer(operation);
            }
        }
        else if (message instanceof Retry retry)
        {
            next(retry.slot(), now());
        }
        else if (message instanceof Start)
        {
            final long now = Math.max(System.nanoTime(), lastNow);
            lastNow = now;
            for (int slot = 0; slot < worker.slots(); slot++)
            {
                next(slot, now);
            }
        }
        else if (message instanceof Stop)
        {
            return Behaviors.stopped();
        }
        // Not this: Akka wraps an actor spawned at system level (spawnColocated) in a supervisor, whose
        // interceptor is made anew (about 100 bytes) for every message answered with another behaviour object.
        return Behaviors.same();
    }

    /** An operation's answer, by message or by a call from the queue pair's poll. */
    @Override
    public void onAnswer(final IoOperation operation)
    {
        // One clock read per poll (by a call) or per duty cycle's mailbox runs (by message), not one per I/O,
        // as the raw engine's loop reads it once per poll.
        final long now = now();
        // The tag is the slot: at most one request per slot is outstanding.
        final int slot = (int)operation.tag();
        if (operation.error() == null)
        {
            worker.completed(slot, now);
        }
        else
        {
            worker.failed(slot, operation.error().getMessage());
        }
        next(slot, now);
    }

    /** The time of what is handled now: see {@link LocalQueuePair#reapedAt()} and {@link BusyPollExecutor#tasksStartedAt()}. */
    private long now()
    {
        final long now;
        if (!inMessage && local != null)
        {
            now = local.reapedAt();
        }
        else
        {
            now = inMessage && executor != null ? executor.tasksStartedAt() : System.nanoTime();
        }
        // Never behind an earlier reading (the Start message reads the clock itself): no I/O ends before it began.
        if (now > lastNow)
        {
            lastNow = now;
        }
        return lastNow;
    }

    private void next(final int slot, final long now)
    {
        if (worker.mayIssue(now))
        {
            issue(slot, now);
        }
        else if (worker.waitNs() > 0)
        {
            if (inMessage)
            {
                timers.startSingleTimer(retries[slot], retries[slot], Duration.ofNanos(worker.waitNs()));
            }
            else
            {
                // Called from the queue pair's poll, outside any message: the timer is started from one.
                self.tell(retries[slot]);
            }
        }
        else
        {
            signalIfFinished(now);
        }
    }

    private void issue(final int slot, final long now)
    {
        worker.issue(slot, now);
        final IoOperation operation = operations[slot];
        if (worker.isRead(slot))
        {
            operation.read(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs, slot);
        }
        else
        {
            operation.write(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs, fua, slot);
        }
        if (local != null)
        {
            local.submit(operation);
        }
        else if (!chains)
        {
            queuePair.tell(operation);
        }
        else if (firstOut == null)
        {
            firstOut = operation;
            lastOut = operation;
        }
        else
        {
            lastOut = lastOut.then(operation);
        }
    }

    /** Tells the chain of requests issued while handling this message, as one message. */
    private void flush()
    {
        if (firstOut != null)
        {
            queuePair.tell(firstOut);
            firstOut = null;
            lastOut = null;
        }
    }

    private void signalIfFinished(final long now)
    {
        if (!signalled && worker.finished(now))
        {
            signalled = true;
            finished.countDown();
        }
    }
}
