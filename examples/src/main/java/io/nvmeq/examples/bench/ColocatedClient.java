package io.nvmeq.examples.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.IoRequest;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.engine.DmaBuffer;

/**
 * The actor path's load generator for one job: an actor spawned on its queue pair's own busy-poll dispatcher,
 * so that each request and its reply stay on one thread and CPU (run-to-completion, as in SPDK and Seastar).
 * It keeps {@code iodepth} requests outstanding, each slot with its own region of a pre-allocated DMA buffer,
 * and issues the next one from the reply of the last (or, with --rate_iops, when a timer says its turn came).
 *
 * <p>The behaviour is typed {@code Object} so that the queue pair can answer the actor itself (its reference
 * narrowed to {@code IoReply}): a message adapter would allocate a wrapper per reply.
 */
final class ColocatedClient extends AbstractBehavior<Object>
{
    /** Issue the first {@code iodepth} requests. */
    record Start()
    {
    }

    /** Stop the actor (after the job finished). */
    record Stop()
    {
    }

    /** --rate_iops: the slot's next turn has come (one instance per slot, made once). */
    record Retry(int slot)
    {
    }

    private final ActorRef<QueuePairCommand> queuePair;
    private final ActorRef<IoReply> self;
    private final Worker worker;
    private final DmaBuffer buffer;
    private final int nsid;
    private final int bs;
    private final boolean fua;
    private final CountDownLatch finished;
    private final TimerScheduler<Object> timers;
    private final Retry[] retries;
    private boolean signalled;

    static Behavior<Object> create(final ActorRef<QueuePairCommand> queuePair, final Worker worker,
        final DmaBuffer buffer, final CountDownLatch finished)
    {
        return Behaviors.withTimers(timers -> Behaviors.setup(context ->
            new ColocatedClient(context, timers, queuePair, worker, buffer, finished)));
    }

    private ColocatedClient(final ActorContext<Object> context, final TimerScheduler<Object> timers,
        final ActorRef<QueuePairCommand> queuePair, final Worker worker, final DmaBuffer buffer,
        final CountDownLatch finished)
    {
        super(context);
        this.timers = timers;
        this.retries = new Retry[worker.slots()];
        for (int slot = 0; slot < retries.length; slot++)
        {
            retries[slot] = new Retry(slot);
        }
        this.queuePair = queuePair;
        this.self = context.getSelf().narrow();
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
        return newReceiveBuilder()
            .onMessage(IoReply.Done.class, this::onDone)
            .onMessage(IoReply.Failed.class, this::onFailed)
            .onMessage(Start.class, this::onStart)
            .onMessage(Retry.class, retry -> onRetry(retry.slot()))
            .onMessage(Stop.class, stop -> Behaviors.stopped())
            .build();
    }

    private Behavior<Object> onStart(final Start start)
    {
        final long now = System.nanoTime();
        for (int slot = 0; slot < worker.slots(); slot++)
        {
            next(slot, now);
        }
        return this;
    }

    private Behavior<Object> onRetry(final int slot)
    {
        next(slot, System.nanoTime());
        return this;
    }

    private Behavior<Object> onDone(final IoReply.Done done)
    {
        final long now = System.nanoTime();
        final int slot = (int)done.tag();
        worker.completed(slot, now);
        next(slot, now);
        return this;
    }

    private Behavior<Object> onFailed(final IoReply.Failed failed)
    {
        final long now = System.nanoTime();
        final int slot = (int)failed.tag();
        worker.failed(slot, failed.error().getMessage());
        next(slot, now);
        return this;
    }

    private void next(final int slot, final long now)
    {
        if (worker.mayIssue(now))
        {
            issue(slot, now);
        }
        else if (worker.waitNs() > 0)
        {
            timers.startSingleTimer(retries[slot], retries[slot], Duration.ofNanos(worker.waitNs()));
        }
        else
        {
            signalIfFinished(now);
        }
    }

    private void issue(final int slot, final long now)
    {
        worker.issue(slot, now);
        final int offset = slot * bs;
        // The tag is the slot: at most one request per slot is outstanding.
        if (worker.isRead(slot))
        {
            queuePair.tell(new IoRequest.Read(nsid, worker.lba(slot), worker.lbaCount(), buffer, offset, slot, self));
        }
        else
        {
            queuePair.tell(
                new IoRequest.Write(nsid, worker.lba(slot), worker.lbaCount(), buffer, offset, fua, slot, self));
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
