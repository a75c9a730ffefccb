package io.nvmeq.actors;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.engine.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A co-located actor whose operations are answered by calls from the queue pair's poll: every operation
 * answered once per preparation, on the actor's own thread, also while the queue pair restarts (when
 * answers come as messages instead).
 */
class LocalCompletionsTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    /** What the client saw. */
    record Observed(int byCall, int byMessage, int failed, Set<Long> tags, String wrong, Set<Long> reapTimes)
    {
    }

    /** Starts the client; with {@code crash}, makes the queue pair fail twice in a row first. */
    record Go(boolean crash)
    {
    }

    /** Keeps {@code depth} operations outstanding until {@code total} were answered. */
    private static final class Client implements LocalQueuePair.Completions
    {
        private final ActorRef<QueuePairCommand> queue;
        private final DmaBuffer buffer;
        private final int total;
        private final int blockSize;
        private final CompletableFuture<Observed> result;
        private final Set<Long> tags = new HashSet<>();
        private final Map<Long, Long> submittedAt = new HashMap<>();
        private final Set<Long> reapTimes = new HashSet<>();
        private long lastReapTime;
        private final Thread ownThread = Thread.currentThread();
        private LocalQueuePair local;
        private long sent;
        private int byCall;
        private int byMessage;
        private int failed;
        private boolean inMessage;
        private String wrong;

        Client(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer, final int total, final int blockSize,
            final CompletableFuture<Observed> result)
        {
            this.queue = queue;
            this.buffer = buffer;
            this.total = total;
            this.blockSize = blockSize;
            this.result = result;
        }

        @Override
        public void onAnswer(final IoOperation operation)
        {
            if (inMessage)
            {
                byMessage++;
            }
            else
            {
                byCall++;
                checkReapTime(operation);
            }
            if (Thread.currentThread() != ownThread && wrong == null)
            {
                wrong = "answered on " + Thread.currentThread().getName() + ", not on " + ownThread.getName();
            }
            if (!tags.add(operation.tag()) && wrong == null)
            {
                wrong = "operation " + operation.tag() + " answered twice";
            }
            if (operation.error() != null)
            {
                failed++;
            }
            if (tags.size() == total)
            {
                result.complete(new Observed(byCall, byMessage, failed, tags, wrong, reapTimes));
            }
            else if (sent < total)
            {
                submit(operation);
            }
        }

        /** A call's reapedAt: after its operation was submitted, not in the future, never going back. */
        private void checkReapTime(final IoOperation operation)
        {
            final long reapedAt = local.reapedAt();
            final long now = System.nanoTime();
            if (wrong == null && (reapedAt < submittedAt.get(operation.tag()) || reapedAt > now || reapedAt < lastReapTime))
            {
                wrong = "operation " + operation.tag() + " submitted at " + submittedAt.get(operation.tag()) +
                    " reaped at " + reapedAt + " (now " + now + ", the last call's " + lastReapTime + ")";
            }
            lastReapTime = reapedAt;
            reapTimes.add(reapedAt);
        }

        void submit(final IoOperation operation)
        {
            submittedAt.put(sent, System.nanoTime());
            final int slot = (int)(sent % 8);
            local.submit(operation.read(NSID, sent % 64, 1, buffer, slot * blockSize, sent));
            sent++;
        }

        Behavior<Object> behavior(final ActorRef<IoReply> self, final int depth)
        {
            local = LocalQueuePair.of(queue, this);
            return Behaviors.receiveMessage(message ->
            {
                if (message instanceof Go go)
                {
                    if (go.crash())
                    {
                        queue.tell(new QueuePairCommand.Crash("local completions test", false));
                        queue.tell(new QueuePairCommand.Crash("local completions test, again", false));
                    }
                    for (int i = 0; i < depth; i++)
                    {
                        submit(new IoOperation(self));
                    }
                    return Behaviors.same();
                }
                inMessage = true;
                try
                {
                    onAnswer((IoOperation)message);
                }
                finally
                {
                    inMessage = false;
                }
                return Behaviors.same();
            });
        }
    }

    private Observed run(final boolean crash, final int total) throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings(crash ? "LOCAL-C" : "LOCAL-A"));
        final int blockSize = nvmeq.namespace(NSID).blockSize();
        final DmaBuffer buffer = nvmeq.allocate(8 * blockSize);
        final ActorRef<QueuePairCommand> queue = nvmeq.queuePairRefs().get(0);
        final CompletableFuture<Observed> result = new CompletableFuture<>();
        final CompletableFuture<Boolean> hadHandle = new CompletableFuture<>();
        final ActorRef<Object> client = nvmeq.spawnColocated(0, Behaviors.setup(context ->
        {
            final Client state = new Client(queue, buffer, total, blockSize, result);
            final Behavior<Object> behavior = state.behavior(context.getSelf().narrow(), 8);
            hadHandle.complete(state.local != null);
            return behavior;
        }), "local-completions-client");
        assertTrue(hadHandle.get(10, TimeUnit.SECONDS), "a co-located actor gets a local handle");
        client.tell(new Go(crash));
        return result.get(30, TimeUnit.SECONDS);
    }

    @Test
    void completionsAreCalledOnTheActorsThreadOncePerOperation() throws Exception
    {
        final int total = 20_000;
        final Observed observed = run(false, total);
        assertNull(observed.wrong());
        assertEquals(total, observed.tags().size());
        assertEquals(0, observed.failed());
        assertEquals(total, observed.byCall() + observed.byMessage(), "each answer once");
        assertTrue(observed.byCall() > observed.byMessage(), "the poll answers by call: " + observed);
        // Eight in flight, completed at the doorbell and reaped by one poll: their calls share its clock read.
        assertTrue(observed.reapTimes().size() < observed.byCall() / 2,
            observed.reapTimes().size() + " clock reads for " + observed.byCall() + " calls");
    }

    @Test
    void acrossRestartsEveryOperationIsAnsweredOnceByCallOrByMessage() throws Exception
    {
        final int total = 5_000;
        final Observed observed = run(true, total);
        assertNull(observed.wrong());
        assertEquals(total, observed.tags().size(), "every operation answered");
        assertEquals(total, observed.byCall() + observed.byMessage(), "each answer once");
        assertTrue(observed.byCall() > 0, "served by calls again after the restart: " + observed);
    }
}
