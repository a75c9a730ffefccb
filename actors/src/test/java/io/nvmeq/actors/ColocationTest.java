package io.nvmeq.actors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.engine.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An application actor placed on a queue pair's dispatcher shares its thread: request and reply never cross cores. */
class ColocationTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    /** What the client saw: the threads it sent its requests and got their replies on, and the last reply. */
    record Observed(Thread sentOn, Thread repliedOn, int replies, IoReply last)
    {
    }

    /** Sends {@code count} reads one after another (queue depth 1), each from the reply to the previous. */
    private static Behavior<IoReply> client(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer, final int count,
        final CompletableFuture<Observed> result)
    {
        return Behaviors.setup(context ->
        {
            final Thread sentOn = Thread.currentThread();
            queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 0, context.getSelf()));
            final int[] replies = {0};
            return Behaviors.receiveMessage(reply ->
            {
                replies[0]++;
                if (Thread.currentThread() != sentOn)
                {
                    result.complete(new Observed(sentOn, Thread.currentThread(), replies[0], reply));
                    return Behaviors.stopped();
                }
                if (replies[0] == count || reply instanceof IoReply.Failed)
                {
                    result.complete(new Observed(sentOn, Thread.currentThread(), replies[0], reply));
                    return Behaviors.stopped();
                }
                queue.tell(new IoRequest.Read(NSID, replies[0], 1, buffer, 0, replies[0], context.getSelf()));
                return Behaviors.same();
            });
        });
    }

    /** The local client's messages: a reply, or a tick from the test that makes it submit a burst. */
    sealed interface LocalClientCommand permits LocalReply, Tick
    {
    }

    record LocalReply(IoReply reply) implements LocalClientCommand
    {
    }

    /** Submit a burst; with {@code crashTwice}, first make the queue pair fail twice in a row (a backoff follows). */
    record Tick(boolean crashTwice) implements LocalClientCommand
    {
    }

    /**
     * On each tick submits a burst of reads through a LocalQueuePair, whatever is still outstanding, and
     * collects the replies until {@code total} have come.
     */
    private static Behavior<LocalClientCommand> localClient(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer,
        final int total, final int burst, final CompletableFuture<java.util.List<IoReply>> result,
        final CompletableFuture<Boolean> hadHandle)
    {
        return Behaviors.setup(context ->
        {
            final LocalQueuePair local = LocalQueuePair.of(queue);
            hadHandle.complete(local != null);
            final ActorRef<IoReply> replyTo = context.messageAdapter(IoReply.class, LocalReply::new);
            final java.util.List<IoReply> replies = new java.util.ArrayList<>();
            final long[] sent = {0};
            return Behaviors.receive(LocalClientCommand.class)
                .onMessage(Tick.class, tick ->
                {
                    if (tick.crashTwice())
                    {
                        queue.tell(new QueuePairCommand.Crash("colocation test", false));
                        queue.tell(new QueuePairCommand.Crash("colocation test, again", false));
                    }
                    for (int i = 0; i < burst && sent[0] < total; i++, sent[0]++)
                    {
                        local.submit(new IoRequest.Read(NSID, sent[0] % 64, 1, buffer, 0, sent[0], replyTo));
                    }
                    return Behaviors.same();
                })
                .onMessage(LocalReply.class, reply ->
                {
                    replies.add(reply.reply());
                    if (replies.size() == total)
                    {
                        result.complete(replies);
                        return Behaviors.stopped();
                    }
                    return Behaviors.same();
                })
                .build();
        });
    }

    @Test
    void localSubmissionFromACoLocatedActorIsAnsweredExactlyOnceAlsoAcrossRestarts() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("COLO-L"));
        final DmaBuffer buffer = nvmeq.allocate(nvmeq.namespace(NSID).blockSize());
        final ActorRef<QueuePairCommand> queue = nvmeq.queuePairRefs().get(0);
        assertEquals(null, LocalQueuePair.of(queue), "not on the queue pair's thread: no local handle");

        final int ticks = 200;
        final int burst = 8;
        final CompletableFuture<java.util.List<IoReply>> result = new CompletableFuture<>();
        final CompletableFuture<Boolean> hadHandle = new CompletableFuture<>();
        final ActorRef<LocalClientCommand> client =
            nvmeq.spawnColocated(0, localClient(queue, buffer, ticks * burst, burst, result, hadHandle), "local-client");
        assertTrue(hadHandle.get(10, TimeUnit.SECONDS), "a co-located actor gets a local handle");
        // Two failures in a row leave the queue pair without queues for a backoff (10 ms by default): the
        // bursts of the ticks meanwhile cannot go the direct way and must be held, not lost.
        for (int i = 0; i < ticks; i++)
        {
            client.tell(new Tick(i % 40 == 0));
            Thread.sleep(1);
        }
        final java.util.List<IoReply> replies = result.get(10, TimeUnit.SECONDS);
        final java.util.Set<Long> tags = new java.util.HashSet<>();
        for (final IoReply reply : replies)
        {
            assertInstanceOf(IoReply.Done.class, reply, reply::toString);
            assertTrue(tags.add(reply.tag()), "answered twice: " + reply);
        }
        assertEquals(ticks * burst, tags.size());
        // The second crash of each pair arrives while the first is still being recovered from: one outage,
        // not a failure in a row (a burst of kills must not add up to giving up). A pair that comes while
        // the previous pair's restart still runs (a slow machine) is part of that outage too.
        final long restarts = nvmeq.counters(0).restarts();
        assertTrue(restarts >= 1 && restarts <= 5, "restarts: " + restarts);
    }

    @Test
    void anActorSpawnedOnAQueuePairsDispatcherSendsAndIsAnsweredOnThatQueuePairsThread() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("COLO-1"));
        final DmaBuffer buffer = nvmeq.allocate(nvmeq.namespace(NSID).blockSize());
        for (int queue = 0; queue < nvmeq.queuePairs(); queue++)
        {
            final CompletableFuture<Observed> result = new CompletableFuture<>();
            nvmeq.spawnColocated(queue, client(nvmeq.queuePairRefs().get(queue), buffer, 200, result), "client-" + queue);
            final Observed observed = result.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IoReply.Done.class, observed.last());
            assertSame(observed.sentOn(), observed.repliedOn(), "reply " + observed.replies() + " crossed threads");
            assertEquals(200, observed.replies());

            // ... and that thread is the queue pair's own.
            final int index = queue;
            final CompletableFuture<QueuePairStatus> status = new CompletableFuture<>();
            nvmeq.spawnColocated(queue, Behaviors.<QueuePairStatus>setup(context ->
            {
                nvmeq.queuePairRefs().get(index).tell(new QueuePairCommand.GetStatus(context.getSelf()));
                return Behaviors.receiveMessage(reply ->
                {
                    status.complete(reply);
                    return Behaviors.stopped();
                });
            }), "status-" + queue);
            assertEquals(status.get(10, TimeUnit.SECONDS).threadName(), observed.sentOn().getName());
            assertTrue(observed.sentOn().getName().contains("cpu-dispatcher-" + nvmeq.cpus().get(queue)),
                observed.sentOn().getName());
        }
    }
}
