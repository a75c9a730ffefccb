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
        if (nvmeq != null)
        {
            nvmeq.close();
            nvmeq = null;
        }
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
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
