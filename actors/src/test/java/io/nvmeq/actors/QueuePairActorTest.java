package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.hw.nativeio.CpuAffinity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.TIMEOUT;
import static io.nvmeq.actors.TestSupport.assertAllDone;
import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queue-pair actors on pinned busy-poll threads, driven through the supervisor against the emulated controller. */
class QueuePairActorTest
{
    private static final String SYSTEM = "queue-pair-actor-test";
    private static final int NSID = 1;

    private static ActorTestKit testKit;

    private ActorRef<ControllerCommand> supervisor;
    private BringUp.Ready ready;
    private final List<DmaBuffer> buffers = new ArrayList<>();

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
        buffers.clear(); // freed with the controller's DMA memory
    }

    private DmaBuffer buffer(final int bytes)
    {
        final DmaBuffer buffer = ready.allocator().allocate(bytes);
        buffers.add(buffer);
        return buffer;
    }

    private NamespaceInfo namespace()
    {
        return ready.namespaces().get(0);
    }

    @Test
    void writesThroughTwoQueuePairsConcurrentlyReadBackExactlyOnPinnedThreads() throws Exception
    {
        bringUp(TestSupport.settings("ACTORS-A"));
        assertEquals(2, ready.queuePairs().size());
        final int blockSize = namespace().blockSize();
        final int blocks = 8;
        final int length = blocks * blockSize;
        final int perQueue = 24;

        // Each queue pair gets its own LBA range and patterns, sent from its own thread.
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer[][] written = new DmaBuffer[2][perQueue];
        final Thread[] senders = new Thread[2];
        for (int q = 0; q < 2; q++)
        {
            for (int i = 0; i < perQueue; i++)
            {
                written[q][i] = buffer(length);
                written[q][i].buffer().putBytes(0, pattern(q * 1000 + i, length));
            }
            final int queue = q;
            senders[q] = new Thread(() ->
            {
                for (int i = 0; i < perQueue; i++)
                {
                    final long lba = (queue * perQueue + i) * (long)blocks;
                    ready.queuePairs().get(queue).tell(new IoRequest.Write(NSID, lba, blocks, written[queue][i], 0,
                        i % 2 == 0, queue * 1000L + i, replies.ref()));
                }
            });
        }
        for (final Thread sender : senders)
        {
            sender.start();
        }
        for (final Thread sender : senders)
        {
            sender.join(TIMEOUT.toMillis());
        }
        assertAllDone(replies, 2 * perQueue);

        // Read every range back through the other queue pair, so both queues' data paths are checked.
        final DmaBuffer[][] read = new DmaBuffer[2][perQueue];
        for (int q = 0; q < 2; q++)
        {
            for (int i = 0; i < perQueue; i++)
            {
                read[q][i] = buffer(length);
                final long lba = (q * perQueue + i) * (long)blocks;
                ready.queuePairs().get(1 - q).tell(new IoRequest.Read(NSID, lba, blocks, read[q][i], 0,
                    q * 1000L + i, replies.ref()));
            }
        }
        assertAllDone(replies, 2 * perQueue);
        for (int q = 0; q < 2; q++)
        {
            for (int i = 0; i < perQueue; i++)
            {
                assertArrayEquals(pattern(q * 1000 + i, length), contents(read[q][i], 0, length),
                    "queue " + q + " request " + i);
            }
        }

        // Each queue pair's thread is pinned to exactly its CPU, as the kernel reports it.
        final TestProbe<QueuePairStatus> statusProbe = testKit.createTestProbe(QueuePairStatus.class);
        final Set<Integer> threadIds = new HashSet<>();
        for (int q = 0; q < 2; q++)
        {
            ready.queuePairs().get(q).tell(new QueuePairCommand.GetStatus(statusProbe.ref()));
            final QueuePairStatus status = statusProbe.expectMessageClass(QueuePairStatus.class, TIMEOUT);
            final int cpu = ready.cpus().get(q);
            assertEquals(q + 1, status.queueId());
            assertTrue(status.busyPoll(), "queue pair " + q + " should be polled by its busy-poll thread");
            assertEquals(cpu, status.requestedCpu());
            assertEquals(cpu, status.pinnedCpu());
            assertEquals(0, status.inFlight());
            final BitSet expected = new BitSet();
            expected.set(cpu);
            assertEquals(expected, CpuAffinity.affinityOf(status.threadId()), "affinity of " + status.threadName());
            assertTrue(status.threadName().contains(CpuDispatchers.dispatcherId(NvmeqSettings.PollMode.BUSY_POLL, cpu)),
                status.threadName());
            threadIds.add(status.threadId());
        }
        if (!ready.cpus().get(0).equals(ready.cpus().get(1)))
        {
            assertEquals(2, threadIds.size(), "two CPUs, two threads");
        }
    }

    @Test
    void transferPastTheNamespaceEndIsRefusedTypedAndChangesNothing()
    {
        bringUp(TestSupport.settings("ACTORS-B"));
        final NamespaceInfo namespace = namespace();
        final int blockSize = namespace.blockSize();
        final long last = namespace.blocks() - 1;
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);

        final DmaBuffer original = buffer(2 * blockSize);
        original.buffer().putBytes(0, pattern(7, blockSize));
        queue.tell(new IoRequest.Write(NSID, last, 1, original, 0, false, 1, replies.ref()));
        assertEquals(new IoReply.Done(1), replies.expectMessageClass(IoReply.class, TIMEOUT));

        // The engine checks the range against Identify Namespace before anything reaches the device.
        final DmaBuffer other = buffer(2 * blockSize);
        other.buffer().putBytes(0, pattern(8, 2 * blockSize));
        queue.tell(new IoRequest.Write(NSID, last, 2, other, 0, false, 2, replies.ref()));
        assertLbaOutOfRange(replies.expectMessageClass(IoReply.class, TIMEOUT), 2);
        queue.tell(new IoRequest.Read(NSID, namespace.blocks(), 1, other, 0, 3, replies.ref()));
        assertLbaOutOfRange(replies.expectMessageClass(IoReply.class, TIMEOUT), 3);
        assertArrayEquals(pattern(8, 2 * blockSize), contents(other, 0, 2 * blockSize), "refused read wrote the buffer");

        final DmaBuffer check = buffer(blockSize);
        queue.tell(new IoRequest.Read(NSID, last, 1, check, 0, 4, replies.ref()));
        assertEquals(new IoReply.Done(4), replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertArrayEquals(pattern(7, blockSize), contents(check, 0, blockSize), "the last block changed");
        replies.expectNoMessage(java.time.Duration.ofMillis(100));
        assertIdle(queue);
    }

    @Test
    void bufferSmallerThanTheTransferIsRefusedBeforeReachingTheDevice()
    {
        bringUp(TestSupport.settings("ACTORS-C"));
        final int blockSize = namespace().blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(1);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final int blocks = 16;
        final int length = blocks * blockSize;

        final DmaBuffer original = buffer(length);
        original.buffer().putBytes(0, pattern(21, length));
        queue.tell(new IoRequest.Write(NSID, 100, blocks, original, 0, false, 1, replies.ref()));
        assertEquals(new IoReply.Done(1), replies.expectMessageClass(IoReply.class, TIMEOUT));

        final DmaBuffer small = buffer(length / 2);
        small.buffer().putBytes(0, pattern(22, small.capacity()));
        queue.tell(new IoRequest.Write(NSID, 100, blocks, small, 0, false, 2, replies.ref()));
        final IoReply.Failed tooSmall = assertInstanceOf(IoReply.Failed.class, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertEquals(2, tooSmall.tag());
        assertInstanceOf(InvalidRequestException.class, tooSmall.error());
        assertTrue(tooSmall.error().getMessage().contains("smaller than the transfer"), tooSmall.error().getMessage());
        // Same buffer, offset pushing the transfer past its end.
        queue.tell(new IoRequest.Read(NSID, 100, 1, original, length - blockSize / 2, 3, replies.ref()));
        final IoReply.Failed pastEnd = assertInstanceOf(IoReply.Failed.class, replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertInstanceOf(InvalidRequestException.class, pastEnd.error());

        final DmaBuffer check = buffer(length);
        queue.tell(new IoRequest.Read(NSID, 100, blocks, check, 0, 4, replies.ref()));
        assertEquals(new IoReply.Done(4), replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertArrayEquals(pattern(21, length), contents(check, 0, length), "the refused write reached the device");
        assertIdle(queue);
    }

    @Test
    void backlogOverflowIsRefusedTypedAndEveryRequestGetsExactlyOneReply() throws InterruptedException
    {
        // 4 entries = 3 commands in flight, plus 2 waiting: 5 of 20 run, 15 are refused.
        bringUp(TestSupport.settings("ACTORS-E").withQueueEntries(4).withBacklog(2));
        final int blockSize = namespace().blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final int requests = 20;

        // Hold the queue pair's thread with an actor on the same dispatcher, so all 20 requests are
        // in its mailbox before it runs and none completes in between.
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ActorRef<String> blocker = testKit.spawn(blocker(entered, release), "blocker",
            CpuDispatchers.forCpu(testKit.system(), TestSupport.settings("x"), ready.cpus().get(0)));
        blocker.tell("block");
        assertTrue(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        final DmaBuffer[] data = new DmaBuffer[requests];
        for (int i = 0; i < requests; i++)
        {
            data[i] = buffer(blockSize);
            data[i].buffer().putBytes(0, pattern(100 + i, blockSize));
            queue.tell(new IoRequest.Write(NSID, i, 1, data[i], 0, false, i, replies.ref()));
        }
        release.countDown();

        final Map<Long, IoReply> byTag = new HashMap<>();
        for (int i = 0; i < requests; i++)
        {
            final IoReply reply = replies.expectMessageClass(IoReply.class, TIMEOUT);
            assertEquals(null, byTag.put(reply.tag(), reply), "second reply for request " + reply.tag());
        }
        replies.expectNoMessage(java.time.Duration.ofMillis(200));
        for (long tag = 0; tag < requests; tag++)
        {
            final IoReply reply = byTag.get(tag);
            if (tag < 5)
            {
                assertEquals(new IoReply.Done(tag), reply, "in flight or waiting: request " + tag + " must run");
            }
            else
            {
                final IoReply.Failed failed = assertInstanceOf(IoReply.Failed.class, reply, "request " + tag);
                assertInstanceOf(BackpressureException.class, failed.error());
                assertTrue(failed.error().getMessage().contains("backlog 2"), failed.error().getMessage());
            }
        }
        // What ran is on the device, what was refused is not.
        final DmaBuffer check = buffer(requests * blockSize);
        queue.tell(new IoRequest.Read(NSID, 0, requests, check, 0, 99, replies.ref()));
        assertEquals(new IoReply.Done(99), replies.expectMessageClass(IoReply.class, TIMEOUT));
        for (int i = 0; i < requests; i++)
        {
            final byte[] block = contents(check, i * blockSize, blockSize);
            if (i < 5)
            {
                assertArrayEquals(pattern(100 + i, blockSize), block, "block " + i);
            }
            else
            {
                assertArrayEquals(new byte[blockSize], block, "refused write reached block " + i);
            }
        }
        testKit.stop(blocker);
        assertIdle(queue);
    }

    @Test
    void selfPollModeRoundTripsOnAStockDispatcherPinnedByTheActor()
    {
        bringUp(TestSupport.settings("ACTORS-S").withPollMode(NvmeqSettings.PollMode.SELF_POLL));
        final int blockSize = namespace().blockSize();
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final TestProbe<QueuePairStatus> statusProbe = testKit.createTestProbe(QueuePairStatus.class);
        for (int q = 0; q < 2; q++)
        {
            final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(q);
            final int length = 8 * blockSize;
            final DmaBuffer out = buffer(length);
            final DmaBuffer in = buffer(length);
            out.buffer().putBytes(0, pattern(300 + q, length));
            queue.tell(new IoRequest.Write(NSID, 64L * q, 8, out, 0, false, 1, replies.ref()));
            queue.tell(new IoRequest.Read(NSID, 64L * q, 8, in, 0, 2, replies.ref()));
            assertEquals(new IoReply.Done(1), replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertEquals(new IoReply.Done(2), replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertArrayEquals(pattern(300 + q, length), contents(in, 0, length));

            queue.tell(new QueuePairCommand.GetStatus(statusProbe.ref()));
            final QueuePairStatus status = statusProbe.expectMessageClass(QueuePairStatus.class, TIMEOUT);
            assertEquals(false, status.busyPoll());
            final BitSet expected = new BitSet();
            expected.set(ready.cpus().get(q));
            assertEquals(expected, CpuAffinity.affinityOf(status.threadId()), "affinity of " + status.threadName());
            assertTrue(status.threadName().contains(
                CpuDispatchers.dispatcherId(NvmeqSettings.PollMode.SELF_POLL, ready.cpus().get(q))), status.threadName());
        }
    }

    @Test
    void queriesAnswerWithTheControllerAndItsQueuePairs()
    {
        bringUp(TestSupport.settings("ACTORS-Q"));
        final TestProbe<ControllerCommand.ControllerDescription> info =
            testKit.createTestProbe(ControllerCommand.ControllerDescription.class);
        supervisor.tell(new ControllerCommand.GetControllerInfo(info.ref()));
        final ControllerCommand.ControllerDescription description =
            info.expectMessageClass(ControllerCommand.ControllerDescription.class, TIMEOUT);
        assertEquals("ACTORS-Q", description.controller().serial());
        assertEquals(4L << 20, description.namespaces().get(0).bytes());

        final TestProbe<ControllerCommand.QueuePairs> pairs = testKit.createTestProbe(ControllerCommand.QueuePairs.class);
        supervisor.tell(new ControllerCommand.GetQueuePairs(pairs.ref()));
        assertEquals(ready.queuePairs(), pairs.expectMessageClass(ControllerCommand.QueuePairs.class, TIMEOUT).queuePairs());
    }

    @Test
    void failedBringUpIsReportedTypedAndTheSupervisorStops()
    {
        final TestProbe<BringUp> listener = testKit.createTestProbe(BringUp.class);
        final ActorRef<ControllerCommand> failing = testKit.spawn(
            ControllerSupervisor.create(TestSupport.settings("x").withDevice("emu:memory?size=banana"), listener.ref()));
        final BringUp.Failed failed = listener.expectMessageClass(BringUp.Failed.class, TIMEOUT);
        assertInstanceOf(ControllerUnavailableException.class, failed.error());
        assertTrue(failed.error().getMessage().contains("size=banana"), failed.error().getMessage());
        listener.expectTerminated(failing, TIMEOUT);
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

    private static void assertLbaOutOfRange(final IoReply reply, final long tag)
    {
        final IoReply.Failed failed = assertInstanceOf(IoReply.Failed.class, reply);
        assertEquals(tag, failed.tag());
        assertInstanceOf(InvalidRequestException.class, failed.error());
        assertTrue(failed.error().getMessage().contains("LBA Out of Range"), failed.error().getMessage());
    }

    @Test
    void oneSetOfCountersServesTheEngineAndTheActorAcrossARestart()
    {
        bringUp(TestSupport.settings("ACTORS-COUNTERS"));
        final int blockSize = namespace().blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final QueuePairCounters counters = ready.counters().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer data = buffer(blockSize);

        queue.tell(new IoRequest.Write(NSID, 10, 1, data, 0, false, 1, replies.ref()));
        assertEquals(new IoReply.Done(1), replies.expectMessageClass(IoReply.class, TIMEOUT));
        // The restart deletes the NVMe queues and creates new ones: the engine counts on into the same set.
        queue.tell(new QueuePairCommand.Crash("counters across a restart", false));
        queue.tell(new IoRequest.Read(NSID, 10, 1, data, 0, 2, replies.ref()));
        assertEquals(new IoReply.Done(2), replies.expectMessageClass(IoReply.class, TIMEOUT));

        assertEquals(1, counters.restarts());
        assertEquals(2, counters.completed(), "the actor's part");
        assertEquals(2, counters.zeroCopy(), "the engine's part, on the first queues and on the re-created ones");
        assertEquals(2, counters.requests());
        assertIdle(queue);
    }

    private void assertIdle(final ActorRef<QueuePairCommand> queue)
    {
        final TestProbe<QueuePairStatus> probe = testKit.createTestProbe(QueuePairStatus.class);
        queue.tell(new QueuePairCommand.GetStatus(probe.ref()));
        final QueuePairStatus status = probe.expectMessageClass(QueuePairStatus.class, TIMEOUT);
        assertEquals(0, status.inFlight());
        assertEquals(0, status.backlog());
        assertNotEquals(-1, status.threadId());
    }
}
