package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.dispatch.CpuDispatchers;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.TIMEOUT;
import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reusable operations: each is its own reply, answered once per preparation, refused typed when misused. */
class IoOperationTest
{
    private static final String SYSTEM = "io-operation-test";
    private static final int NSID = 1;

    private static ActorTestKit testKit;

    private ActorRef<ControllerCommand> supervisor;
    private BringUp.Ready ready;

    @BeforeAll
    static void startActorSystem()
    {
        testKit = TestSupport.startTestKit(SYSTEM);
    }

    @AfterAll
    static void stopActorSystem() throws InterruptedException
    {
        TestSupport.stopTestKit(testKit, SYSTEM);
    }

    private void bringUp(final NvmeqSettings settings)
    {
        final TestProbe<BringUp> listener = testKit.createTestProbe(BringUp.class);
        supervisor = testKit.spawn(ControllerSupervisor.create(settings, listener.ref()));
        ready = listener.expectMessageClass(BringUp.Ready.class, TIMEOUT);
    }

    @AfterEach
    void shutDown()
    {
        if (supervisor == null)
        {
            return;
        }
        assertTrue(TestSupport.shutDown(testKit, supervisor).clean());
        supervisor = null;
    }

    private int blockSize()
    {
        return ready.namespaces().get(0).blockSize();
    }

    @Test
    void anOperationIsItsOwnReplyAndServesAWriteThenAReadOfTheSameData()
    {
        bringUp(TestSupport.settings("OPS-A"));
        final int length = 4 * blockSize();
        final DmaBuffer source = ready.allocator().allocate(length);
        final DmaBuffer target = ready.allocator().allocate(length);
        source.buffer().putBytes(0, pattern(7, length));
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final IoOperation operation = new IoOperation(replies.ref());

        queue.tell(operation.write(NSID, 16, 4, source, 0, true, 1));
        final IoReply written = replies.expectMessageClass(IoReply.class, TIMEOUT);
        assertSame(operation, written, "the answer is the operation itself");
        assertNull(operation.error(), "the write succeeded");
        assertEquals(1, operation.tag());

        queue.tell(operation.read(NSID, 16, 4, target, 0, 2));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error(), "the read succeeded");
        assertEquals(2, operation.tag());
        assertArrayEquals(pattern(7, length), contents(target, 0, length));

        queue.tell(operation.flush(NSID, 3));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error(), "the flush succeeded");
        replies.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void badInputIsAnsweredTypedAndTheOperationIsReusableAfterwards()
    {
        bringUp(TestSupport.settings("OPS-B"));
        final DmaBuffer buffer = ready.allocator().allocate(blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final IoOperation operation = new IoOperation(replies.ref());
        final long pastTheEnd = ready.namespaces().get(0).blocks();

        queue.tell(operation.read(NSID, pastTheEnd, 1, buffer, 0, 1));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertInstanceOf(InvalidRequestException.class, operation.error(), "a range past the end is refused");

        queue.tell(operation.read(NSID, 0, 1, null, 0, 2));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertInstanceOf(InvalidRequestException.class, operation.error(), "a null buffer is refused");

        queue.tell(operation.read(NSID, 0, 1, buffer, 0, 3));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error(), "after a refusal the operation serves again");
        assertThrows(InvalidRequestException.class, () -> new IoOperation(null), "an operation needs a replyTo");
    }

    @Test
    void anOperationToldWithoutBeingPreparedOrToldTwiceIsAnsweredOnce() throws InterruptedException
    {
        bringUp(TestSupport.settings("OPS-C"));
        final DmaBuffer buffer = ready.allocator().allocate(blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);

        final IoOperation unprepared = new IoOperation(replies.ref());
        queue.tell(unprepared);
        assertSame(unprepared, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertInstanceOf(InvalidRequestException.class, unprepared.error());
        assertTrue(unprepared.error().getMessage().contains("without being prepared"), unprepared.error().getMessage());

        // Both copies in the mailbox before the queue pair runs: the first is taken, the second is held already.
        final IoOperation twice = new IoOperation(replies.ref()).read(NSID, 0, 1, buffer, 0, 5);
        holdQueueThreadWhile(0, () ->
        {
            queue.tell(twice);
            queue.tell(twice);
        });
        assertSame(twice, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(twice.error());
        replies.expectNoMessage(Duration.ofMillis(200));

        // Told again after its answer without a new preparation: refused, as an unprepared one.
        queue.tell(twice);
        assertSame(twice, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertInstanceOf(InvalidRequestException.class, twice.error());
    }

    @Test
    void preparingAnOperationTheQueuePairHoldsIsRefused()
    {
        // A read that takes 200 ms in the device: the queue pair holds the operation meanwhile.
        bringUp(TestSupport.settings("OPS-D").withDevice("emu:memory?size=4m&bs=512&serial=OPS-D&latency=read:200ms"));
        final DmaBuffer buffer = ready.allocator().allocate(blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final IoOperation operation = new IoOperation(replies.ref());

        queue.tell(operation.read(NSID, 0, 1, buffer, 0, 1));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (operation.state() != IoOperation.ACCEPTED && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> operation.read(NSID, 1, 1, buffer, 0, 2));
        assertTrue(refused.getMessage().contains("still held by a queue pair"), refused.getMessage());
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error());
        assertEquals(1, operation.tag(), "the refused preparation changed nothing");
        assertEquals(0, operation.lba());
    }

    @Test
    void pastTheBacklogOperationsAreRefusedWithBackpressureAndEachIsAnsweredOnce() throws InterruptedException
    {
        // 4 entries = 3 commands in flight, plus 2 waiting: 5 of 20 run, 15 are refused.
        bringUp(TestSupport.settings("OPS-E").withQueueEntries(4).withBacklog(2));
        final int requests = 20;
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(requests * blockSize());
        final List<IoOperation> operations = new ArrayList<>();
        for (int i = 0; i < requests; i++)
        {
            operations.add(new IoOperation(replies.ref()).read(NSID, i, 1, buffer, i * blockSize(), i));
        }
        holdQueueThreadWhile(0, () -> operations.forEach(queue::tell));

        final Map<IoOperation, Boolean> answered = new IdentityHashMap<>();
        final Map<Long, IoOperation> byTag = new HashMap<>();
        for (int i = 0; i < requests; i++)
        {
            final IoOperation answer = assertInstanceOf(IoOperation.class, replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertNull(answered.put(answer, true), "operation " + answer.tag() + " answered twice");
            byTag.put(answer.tag(), answer);
        }
        replies.expectNoMessage(Duration.ofMillis(200));
        for (long tag = 0; tag < requests; tag++)
        {
            final IoOperation operation = byTag.get(tag);
            if (tag < 5)
            {
                assertNull(operation.error(), "in flight or waiting: operation " + tag + " must run");
            }
            else
            {
                assertInstanceOf(BackpressureException.class, operation.error(), "operation " + tag);
            }
        }
    }

    @Test
    void aChainIsToldInOneMessageAndItsAnswersComeChainedOnePerPoll()
    {
        bringUp(TestSupport.settings("OPS-F"));
        final int count = 8;
        final int blockSize = blockSize();
        final DmaBuffer source = ready.allocator().allocate(count * blockSize);
        final DmaBuffer target = ready.allocator().allocate(count * blockSize);
        source.buffer().putBytes(0, pattern(11, count * blockSize));
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final List<IoOperation> operations = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            operations.add(IoOperation.chainingAnswers(replies.ref()));
        }

        // Writes, then reads of the same blocks, each burst one message.
        IoOperation last = operations.get(0).write(NSID, 100, 1, source, 0, false, 0);
        for (int i = 1; i < count; i++)
        {
            last = last.then(operations.get(i).write(NSID, 100 + i, 1, source, i * blockSize, false, i));
        }
        queue.tell(operations.get(0));
        assertEquals(count, answersOnce(replies, count, 1).size(), "all in one poll: one message");
        last = operations.get(0).read(NSID, 100, 1, target, 0, 0);
        for (int i = 1; i < count; i++)
        {
            last = last.then(operations.get(i).read(NSID, 100 + i, 1, target, i * blockSize, i));
        }
        queue.tell(operations.get(0));
        answersOnce(replies, count, 1).forEach(operation -> assertNull(operation.error(), "operation " + operation.tag()));
        assertArrayEquals(pattern(11, count * blockSize), contents(target, 0, count * blockSize));
    }

    @Test
    void anUnpreparedOperationInAChainIsRefusedAndTheOthersRun()
    {
        bringUp(TestSupport.settings("OPS-G"));
        final DmaBuffer buffer = ready.allocator().allocate(3 * blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final IoOperation first = new IoOperation(replies.ref()).read(NSID, 0, 1, buffer, 0, 0);
        final IoOperation unprepared = new IoOperation(replies.ref());
        final IoOperation third = new IoOperation(replies.ref()).read(NSID, 2, 1, buffer, 2 * blockSize(), 2);
        first.then(unprepared).then(third);
        queue.tell(first);
        final Map<IoOperation, Boolean> answered = new IdentityHashMap<>();
        for (int i = 0; i < 3; i++)
        {
            final IoOperation answer = assertInstanceOf(IoOperation.class, replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertNull(answer.nextAnswer(), "operations that do not chain their answers get one message each");
            assertNull(answered.put(answer, true), "answered twice");
        }
        replies.expectNoMessage(Duration.ofMillis(100));
        assertNull(first.error());
        assertNull(third.error());
        assertInstanceOf(InvalidRequestException.class, unprepared.error());
    }

    @Test
    void aChainInFlightWhenTheQueuePairFailsIsAnsweredOnceAfterTheRestart()
    {
        // 50 ms in the device: the chain is in flight when the crash comes.
        bringUp(TestSupport.settings("OPS-H").withDevice("emu:memory?size=4m&bs=512&serial=OPS-H&latency=read:50ms"));
        final int count = 16;
        final DmaBuffer buffer = ready.allocator().allocate(count * blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        IoOperation first = null;
        IoOperation last = null;
        for (int i = 0; i < count; i++)
        {
            final IoOperation operation = IoOperation.chainingAnswers(replies.ref()).read(NSID, i, 1, buffer, i * blockSize(), i);
            if (first == null)
            {
                first = operation;
            }
            else
            {
                last.then(operation);
            }
            last = operation;
        }
        queue.tell(first);
        queue.tell(new QueuePairCommand.Crash("chain in flight", false));
        answersOnce(replies, count, count).forEach(operation -> assertNull(operation.error(), "re-submitted and done"));
    }

    @Test
    void everythingADutyCycleFindsInTheMailboxIsSubmittedUnderOneDoorbell() throws InterruptedException
    {
        // The device completes each command at the doorbell write: commands rung together are reaped by one
        // poll, so their answers come as one chain. Told one by one while the thread is held, all of them are
        // in the mailbox when its next duty cycle starts.
        bringUp(TestSupport.settings("OPS-I").withQueueEntries(64));
        final int count = 48;
        final DmaBuffer buffer = ready.allocator().allocate(count * blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final List<IoOperation> operations = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            operations.add(IoOperation.chainingAnswers(replies.ref()));
        }
        queue.tell(operations.get(0).read(NSID, 0, 1, buffer, 0, 0));
        answersOnce(replies, 1, 1);
        holdQueueThreadWhile(0, () ->
        {
            for (int i = 0; i < count; i++)
            {
                queue.tell(operations.get(i).read(NSID, i, 1, buffer, i * blockSize(), i));
            }
        });
        answersOnce(replies, count, 1).forEach(operation -> assertNull(operation.error(), "operation " + operation.tag()));
    }

    @Test
    void anOperationToldOnTheQueuePairsThreadToAnEmptyMailboxIsTakenWithinTheTellAndOtherwiseWaitsItsTurn()
    {
        bringUp(TestSupport.settings("OPS-J"));
        final DmaBuffer buffer = ready.allocator().allocate(2 * blockSize());
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final TestProbe<Integer> states = testKit.createTestProbe(Integer.class);
        final TestProbe<QueuePairStatus> statuses = testKit.createTestProbe(QueuePairStatus.class);
        final IoOperation operation = new IoOperation(replies.ref());
        // One answer first: the queue pair has started on its thread (Ready may come before that).
        queue.tell(operation.read(NSID, 0, 1, buffer, 0, 0));
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        // A sender on the queue pair's thread: the queue pair cannot run while it handles its message.
        final ActorRef<Boolean> sender = testKit.spawn(Behaviors.receiveMessage(afterAStatusRequest ->
        {
            if (afterAStatusRequest)
            {
                queue.tell(new QueuePairCommand.GetStatus(statuses.ref()));
            }
            queue.tell(operation.read(NSID, 1, 1, buffer, blockSize(), 8));
            states.ref().tell(operation.state());
            return Behaviors.same();
        }), "sender-on-queue-thread", CpuDispatchers.forCpu(testKit.system(), TestSupport.settings("x"), ready.cpus().get(0)));

        sender.tell(false);
        assertEquals(IoOperation.ACCEPTED, states.expectMessageClass(Integer.class, TIMEOUT), "taken by a call within tell");
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error());

        sender.tell(true);
        assertEquals(IoOperation.PREPARED, states.expectMessageClass(Integer.class, TIMEOUT),
            "behind the status request in the mailbox: it waits its turn");
        statuses.expectMessageClass(QueuePairStatus.class, TIMEOUT);
        assertSame(operation, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertNull(operation.error());
        replies.expectNoMessage(Duration.ofMillis(100));
        testKit.stop(sender);

        // A request record is taken the same way: submitted (counted) before the tell returns.
        final QueuePairCounters counters = ready.counters().get(0);
        final TestProbe<Long> submitted = testKit.createTestProbe(Long.class);
        final ActorRef<Long> recordSender = testKit.spawn(Behaviors.receiveMessage(before ->
        {
            queue.tell(new IoRequest.Read(NSID, 1, 1, buffer, blockSize(), 9, replies.ref()));
            submitted.ref().tell(counters.submitted() - before);
            return Behaviors.same();
        }), "record-sender-on-queue-thread", CpuDispatchers.forCpu(testKit.system(), TestSupport.settings("x"),
            ready.cpus().get(0)));
        recordSender.tell(counters.submitted());
        assertEquals(1L, submitted.expectMessageClass(Long.class, TIMEOUT), "submitted within the tell");
        assertEquals(new IoReply.Done(9), replies.expectMessageClass(IoReply.class, TIMEOUT));
        testKit.stop(recordSender);
    }

    /** Collects {@code count} answers, each once, from at most {@code maxMessages} messages (chains walked). */
    private static List<IoOperation> answersOnce(final TestProbe<IoReply> replies, final int count, final int maxMessages)
    {
        final Map<IoOperation, Boolean> answered = new IdentityHashMap<>();
        final List<IoOperation> answers = new ArrayList<>();
        int messages = 0;
        while (answers.size() < count)
        {
            messages++;
            for (IoOperation answer = assertInstanceOf(IoOperation.class, replies.expectMessageClass(IoReply.class, TIMEOUT));
                 answer != null; answer = answer.nextAnswer())
            {
                assertNull(answered.put(answer, true), "operation " + answer.tag() + " answered twice");
                answers.add(answer);
            }
        }
        assertTrue(messages <= maxMessages, messages + " messages for " + count + " answers");
        replies.expectNoMessage(Duration.ofMillis(200));
        assertEquals(count, answers.size());
        return answers;
    }

    /** Keeps queue pair {@code index}'s thread busy with an actor on its dispatcher while {@code sends} runs. */
    private void holdQueueThreadWhile(final int index, final Runnable sends) throws InterruptedException
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ActorRef<String> blocker = testKit.spawn(blocker(entered, release), "blocker-" + System.nanoTime(),
            CpuDispatchers.forCpu(testKit.system(), TestSupport.settings("x"), ready.cpus().get(index)));
        blocker.tell("block");
        assertTrue(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        try
        {
            sends.run();
        }
        finally
        {
            release.countDown();
            testKit.stop(blocker);
        }
    }

    private static Behavior<String> blocker(final CountDownLatch entered, final CountDownLatch release)
    {
        return Behaviors.receiveMessage(message ->
        {
            entered.countDown();
            release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Behaviors.same();
        });
    }
}
