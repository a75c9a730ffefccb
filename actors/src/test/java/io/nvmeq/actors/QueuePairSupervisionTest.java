package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.dispatch.BusyPollExecutor;
import io.nvmeq.actors.dispatch.CpuDispatchers;
import io.nvmeq.engine.ControllerResetException;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.nvmeq.actors.TestSupport.TIMEOUT;
import static io.nvmeq.actors.TestSupport.assertAllDoneOnce;
import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Supervision of queue-pair actors: failures restart them with their NVMe queues deleted and
 * re-created, and every request they held is answered exactly once, re-submitted or failed typed.
 */
class QueuePairSupervisionTest
{
    private static final String SYSTEM = "queue-pair-supervision-test";
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

    private static NvmeqSettings settings(final String serial, final int maxRestarts, final int maxRetries)
    {
        return TestSupport.settings(serial)
            .withRecovery(new NvmeqSettings.Recovery(Duration.ofMillis(1), Duration.ofMillis(20), maxRestarts, maxRetries,
                Duration.ofMillis(20)));
    }

    private static NvmeqSettings settings(final String serial, final Duration maxBackoff, final int maxRestarts,
        final int maxRetries)
    {
        return TestSupport.settings(serial)
            .withRecovery(new NvmeqSettings.Recovery(Duration.ofMillis(1), maxBackoff, maxRestarts, maxRetries,
                Duration.ofMillis(20)));
    }

    /**
     * {@code times} failures, each followed by a request that fails as bad input (no success, so the
     * failures stay in a row): its answer comes once the queue pair has new queues again.
     */
    private static void failAndRecover(final ActorRef<QueuePairCommand> queue, final TestProbe<IoReply> replies,
        final DmaBuffer buffer, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            queue.tell(new QueuePairCommand.Crash("test " + i, false));
            queue.tell(new IoRequest.Read(NSID, Long.MAX_VALUE / 2, 1, buffer, 0, 1000 + i, replies.ref()));
            final IoReply.Failed failed = assertInstanceOf(IoReply.Failed.class,
                replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertInstanceOf(InvalidRequestException.class, failed.error());
        }
    }

    @Test
    void aQueuePairThatGaveUpComesBackAfterACoolDown()
    {
        bringUp(settings("REVIVE", Duration.ofMillis(200), 1, 3));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(blockSize);
        failAndRecover(queue, replies, buffer, 1);
        queue.tell(new QueuePairCommand.Crash("gives up", false));
        // Refused while given up, served again after the cool-down: retry until it is.
        final long guard = System.nanoTime() + TIMEOUT.toNanos();
        IoReply reply;
        long tag = 0;
        do
        {
            queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, tag++, replies.ref()));
            reply = replies.expectMessageClass(IoReply.class, TIMEOUT);
            if (reply instanceof IoReply.Failed failed)
            {
                assertInstanceOf(QueuePairStoppedException.class, failed.error());
                sleep(20);
            }
        }
        while (reply instanceof IoReply.Failed && System.nanoTime() < guard);
        assertInstanceOf(IoReply.Done.class, reply, "served again after the cool-down");
        assertEquals(2, ready.counters().get(0).restarts());
        final TestProbe<ControllerCommand.QueuePairs> pairs = testKit.createTestProbe(ControllerCommand.QueuePairs.class);
        supervisor.tell(new ControllerCommand.GetQueuePairs(pairs.ref()));
        assertEquals(ready.queuePairs(), pairs.expectMessageClass(ControllerCommand.QueuePairs.class, TIMEOUT).queuePairs());
    }

    @Test
    void aBurstOfKillsDuringOneRestartCountsAsOneFailure()
    {
        bringUp(settings("BURST", Duration.ofSeconds(30), 2, 3));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(blockSize);
        // Twenty kills at once: the first starts a restart, the others arrive while it runs. Told from here
        // they would race the restart, which can finish between two of them, so the queue pair's thread is held
        // until all twenty are in its mailbox. Ready comes before the actor has started on its thread: one
        // answered request first makes sure it has (and so has said which executor it runs on).
        queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 0, replies.ref()));
        assertEquals(new IoReply.Done(0), replies.expectMessageClass(IoReply.class, TIMEOUT));
        final BusyPollExecutor executor = ready.counters().get(0).executor();
        assertNotNull(executor, "the queue pair runs on a busy-poll thread");
        final CountDownLatch held = new CountDownLatch(1);
        executor.execute(() ->
        {
            try
            {
                held.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 20; i++)
        {
            queue.tell(new QueuePairCommand.Crash("burst " + i, false));
        }
        queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 1, replies.ref()));
        held.countDown();
        assertEquals(new IoReply.Done(1), replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertEquals(1, ready.counters().get(0).restarts(), "one outage, not twenty failures in a row");
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
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
        TestSupport.shutDown(testKit, supervisor);
        supervisor = null;
    }

    /** Without device latency commands complete at the doorbell; with it they are in the device when killed. */
    @ParameterizedTest(name = "device latency: {0}")
    @ValueSource(strings = {"none", "all:30us"})
    void queuePairsKilledAgainAndAgainDuringAVerifiedWorkloadAnswerEveryRequestOnceAndKeepTheData(final String latency)
        throws Exception
    {
        final String serial = "KILL-" + latency.replace(':', '-');
        bringUp(settings(serial, 50, 3).withDevice("emu:memory?size=4m&bs=512&serial=" + serial +
            (latency.equals("none") ? "" : "&latency=" + latency)));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final int blocksPerOp = 2;
        final int blockCount = 64;
        final int lanes = 8;
        final int queues = 2;
        final AtomicLong[] completed = {new AtomicLong(), new AtomicLong()};
        final List<ActorRef<VerifyingWorker.Command>> workers = new ArrayList<>();
        for (int q = 0; q < queues; q++)
        {
            final VerifyingWorker.LaneBuffer[] buffers = new VerifyingWorker.LaneBuffer[lanes];
            for (int lane = 0; lane < lanes; lane++)
            {
                buffers[lane] = new VerifyingWorker.Dma(ready.allocator().allocate(blocksPerOp * blockSize));
            }
            workers.add(testKit.spawn(VerifyingWorker.create(ready.queuePairs().get(q), q, NSID,
                (long)q * blockCount * blocksPerOp, blocksPerOp, blocksPerOp * blockSize, blockCount, buffers,
                completed[q])));
        }

        // Phase 0 kills queue 0 only, phase 1 queue 1 only, phase 2 both; the other queue must keep serving.
        // That is shown by progress, not by a rate (this machine is shared): the spared queue's count,
        // sampled after the first kill, must rise while the kills go on; on a slow machine the kills go
        // on for longer, bounded by TIMEOUT.
        int crashes = 0;
        for (int phase = 0; phase < 3; phase++)
        {
            final int spared = phase < 2 ? 1 - phase : -1;
            long firstSample = -1;
            final long progressDeadline = System.nanoTime() + TIMEOUT.toNanos();
            for (int round = 0; ; round++)
            {
                for (int q = 0; q < queues; q++)
                {
                    if (phase == 2 || phase == q)
                    {
                        // Alternate: failing in a message (requests sent just before may be unsubmitted or
                        // un-rung) and failing in the completion poll (commands in the device).
                        workers.get(q).tell(new VerifyingWorker.CrashQueue(round % 2 == 1));
                        crashes++;
                    }
                }
                Thread.sleep(15);
                if (spared < 0)
                {
                    if (round == 19)
                    {
                        break;
                    }
                    continue;
                }
                final long sample = completed[spared].get();
                if (firstSample < 0)
                {
                    firstSample = sample;
                }
                final boolean progressed = sample > firstSample;
                if (round >= 19 && progressed)
                {
                    break;
                }
                if (System.nanoTime() - progressDeadline > 0)
                {
                    fail("queue " + spared + " answered nothing (" + sample + " requests in all) while queue " + phase +
                        " was killed for " + TIMEOUT + " (" + (round + 1) + " kills)");
                }
            }
        }

        final TestProbe<VerifyingWorker.Report> reports = testKit.createTestProbe(VerifyingWorker.Report.class);
        final List<VerifyingWorker.Report> results = new ArrayList<>();
        for (final ActorRef<VerifyingWorker.Command> worker : workers)
        {
            worker.tell(new VerifyingWorker.Finish(reports.ref()));
            results.add(reports.expectMessageClass(VerifyingWorker.Report.class, TIMEOUT));
        }
        long restarts = 0;
        long retried = 0;
        for (int q = 0; q < queues; q++)
        {
            final VerifyingWorker.Report report = results.get(q);
            // (Reports arrive in the order the workers were told to finish.)
            assertEquals(List.of(), report.problems(), "queue " + q);
            // How much got done depends on the machine; that each queue made progress is what is checked.
            assertTrue(report.writesDone() > 0 && report.readsVerified() > 0, "queue " + q + ": " + report);
            final QueuePairCounters counters = ready.counters().get(q);
            assertTrue(counters.restarts() > 0, "queue " + q + " was restarted");
            // The occupancy is published after the reap that answered the last request: wait for it.
            final long guard = System.nanoTime() + TIMEOUT.toNanos();
            while (counters.inFlight() != 0 && System.nanoTime() < guard)
            {
                Thread.sleep(1);
            }
            assertEquals(0, counters.inFlight());
            restarts += counters.restarts();
            retried += counters.retries();
        }
        System.out.printf("kill test (device latency %s): %d crashes asked for, %d restarts, %d requests re-submitted, %d + %d requests answered, "
            + "%d + %d writes failed typed%n", latency, crashes, restarts, retried, completed[0].get(), completed[1].get(),
            results.get(0).writesFailed(), results.get(1).writesFailed());

        // Independently of the workers: every block holds what its last acknowledged write wrote.
        final TestProbe<IoReply> probe = testKit.createTestProbe(IoReply.class);
        final int length = blocksPerOp * blockSize;
        final DmaBuffer check = ready.allocator().allocate(blockCount * length);
        for (int q = 0; q < queues; q++)
        {
            ready.queuePairs().get(1 - q).tell(new IoRequest.Read(NSID, (long)q * blockCount * blocksPerOp,
                blockCount * blocksPerOp, check, 0, q, probe.ref()));
            assertEquals(new IoReply.Done(q), probe.expectMessageClass(IoReply.class, TIMEOUT));
            for (int block = 0; block < blockCount; block++)
            {
                final int version = results.get(q).versions()[block];
                final byte[] expected = version < 0 ? new byte[length] :
                    pattern(((long)q << 40) ^ ((long)block << 20) ^ version, length);
                assertArrayEquals(expected, contents(check, block * length, length), "queue " + q + " block " + block);
            }
        }
    }

    @Test
    void aControllerFatalStatusResetsTheControllerAndEveryQueueServesOnWithEachRequestAnsweredOnce() throws Exception
    {
        // CSTS.CFS when the controller fetches its 3001st I/O command.
        bringUp(settings("CFS", 50, 3).withDevice("emu:memory?size=4m&bs=512&serial=CFS&faults=cfs:3000"));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final int blockCount = 32;
        final AtomicLong[] completed = {new AtomicLong(), new AtomicLong()};
        final List<ActorRef<VerifyingWorker.Command>> workers = new ArrayList<>();
        for (int q = 0; q < 2; q++)
        {
            final VerifyingWorker.LaneBuffer[] buffers = new VerifyingWorker.LaneBuffer[4];
            for (int lane = 0; lane < buffers.length; lane++)
            {
                buffers[lane] = new VerifyingWorker.Dma(ready.allocator().allocate(blockSize));
            }
            workers.add(testKit.spawn(VerifyingWorker.create(ready.queuePairs().get(q), q, NSID, (long)q * blockCount,
                1, blockSize, blockCount, buffers, completed[q])));
        }
        final TestProbe<ControllerCommand.Health> health = testKit.createTestProbe(ControllerCommand.Health.class);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        ControllerCommand.Health report;
        do
        {
            Thread.sleep(20);
            supervisor.tell(new ControllerCommand.GetHealth(health.ref()));
            report = health.expectMessageClass(ControllerCommand.Health.class, TIMEOUT);
        }
        while (report.controllerResets() == 0 && System.nanoTime() < deadline);
        assertTrue(report.controllerResets() >= 1, "the controller was reset: " + report);
        final long[] atReset = {completed[0].get(), completed[1].get()};
        Thread.sleep(300);

        final TestProbe<VerifyingWorker.Report> reports = testKit.createTestProbe(VerifyingWorker.Report.class);
        for (int q = 0; q < 2; q++)
        {
            workers.get(q).tell(new VerifyingWorker.Finish(reports.ref()));
            final VerifyingWorker.Report result = reports.expectMessageClass(VerifyingWorker.Report.class, TIMEOUT);
            assertEquals(List.of(), result.problems(), "queue " + q);
            assertTrue(completed[q].get() - atReset[q] > 50, "queue " + q + " serves after the reset");
        }
        supervisor.tell(new ControllerCommand.GetHealth(health.ref()));
        report = health.expectMessageClass(ControllerCommand.Health.class, TIMEOUT);
        assertTrue(report.ready() && !report.fatal() && !report.controllerFailed(), report.toString());
        assertEquals(2, report.queuePairsServing());
        System.out.printf("controller-fatal test: %s; %d + %d requests answered%n", report, completed[0].get(),
            completed[1].get());
    }

    @Test
    void whenTheControllerRefusesToDeleteARestartingQueueItIsResetAndTheQueueServesOnWithEachRequestAnsweredOnce()
        throws Exception
    {
        // The first Delete I/O SQ (admin opcode 00h) fails: the device may still hold that queue's commands,
        // so the controller is reset, which re-creates the queue; the device latency keeps the writes in it.
        bringUp(settings("NODELETE", 10, 3).withDevice(
            "emu:memory?size=4m&bs=512&serial=NODELETE&latency=all:20ms&faults=admin:00:1"));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(4 * blockSize);
        for (int i = 0; i < 4; i++)
        {
            queue.tell(new IoRequest.Write(NSID, i, 1, buffer, i * blockSize, false, i, replies.ref()));
        }
        queue.tell(new QueuePairCommand.Crash("test", true));
        assertAllDoneOnce(replies, 4);
        final TestProbe<ControllerCommand.Health> health = testKit.createTestProbe(ControllerCommand.Health.class);
        supervisor.tell(new ControllerCommand.GetHealth(health.ref()));
        final ControllerCommand.Health report = health.expectMessageClass(ControllerCommand.Health.class, TIMEOUT);
        assertTrue(report.controllerResets() >= 1 && !report.controllerFailed(), report.toString());
        assertEquals(2, report.queuePairsServing(), report.toString());
        queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 9, replies.ref()));
        assertEquals(new IoReply.Done(9), replies.expectMessageClass(IoReply.class, TIMEOUT));
    }

    private static NvmeqSettings slowRestart(final String serial, final String params)
    {
        return TestSupport.settings(serial).withDevice("emu:memory?size=4m&bs=512&serial=" + serial + params)
            .withRecovery(new NvmeqSettings.Recovery(Duration.ofMillis(150), Duration.ofMillis(150), 10, 3,
                Duration.ofMillis(20)));
    }

    @Test
    void aShutdownDuringARestartsBackOffAnswersEveryRequestOnceAndStops() throws Exception
    {
        bringUp(slowRestart("DRAIN", "&latency=all:20ms"));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(8 * blockSize);
        for (int i = 0; i < 4; i++)
        {
            queue.tell(new IoRequest.Write(NSID, i, 1, buffer, i * blockSize, false, i, replies.ref()));
        }
        queue.tell(new QueuePairCommand.Crash("test", false));
        // Waits in the backlog: the restart takes no new work before its queues are reconnected.
        for (int i = 4; i < 8; i++)
        {
            queue.tell(new IoRequest.Write(NSID, i, 1, buffer, i * blockSize, false, i, replies.ref()));
        }
        final TestProbe<ControllerCommand.ShutdownComplete> done =
            testKit.createTestProbe(ControllerCommand.ShutdownComplete.class);
        supervisor.tell(new ControllerCommand.Shutdown(done.ref()));
        done.expectMessageClass(ControllerCommand.ShutdownComplete.class, TIMEOUT);
        done.expectTerminated(supervisor, TIMEOUT);
        supervisor = null;
        final Set<Long> tags = new HashSet<>();
        for (int i = 0; i < 8; i++)
        {
            final IoReply reply = replies.expectMessageClass(IoReply.class, TIMEOUT);
            assertTrue(tags.add(reply.tag()), "answered twice: " + reply);
            if (reply instanceof IoReply.Failed failed)
            {
                assertInstanceOf(QueuePairStoppedException.class, failed.error());
            }
        }
        replies.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aControllerResetDuringARestartLeavesOneRecoveryAndEveryRequestAnsweredOnce() throws Exception
    {
        // CSTS.CFS as the controller fetches the 4th I/O command: the health check resets the controller
        // while the queue pair, crashed meanwhile, is in its back-off or reconnecting.
        bringUp(slowRestart("MIDRESET", "&latency=all:5ms&faults=cfs:3"));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(8 * blockSize);
        stallQueueThreadAnd(0, () ->
        {
            for (int i = 0; i < 8; i++)
            {
                queue.tell(new IoRequest.Write(NSID, i, 1, buffer, i * blockSize, false, i, replies.ref()));
            }
            queue.tell(new QueuePairCommand.Crash("test", true));
        });
        assertAllDoneOnce(replies, 8);
        final TestProbe<ControllerCommand.Health> health = testKit.createTestProbe(ControllerCommand.Health.class);
        supervisor.tell(new ControllerCommand.GetHealth(health.ref()));
        final ControllerCommand.Health report = health.expectMessageClass(ControllerCommand.Health.class, TIMEOUT);
        assertTrue(report.controllerResets() >= 1 && !report.controllerFailed() && report.restarts() >= 1,
            report.toString());
        queue.tell(new IoRequest.Read(NSID, 0, 8, buffer, 0, 99, replies.ref()));
        assertEquals(new IoReply.Done(99), replies.expectMessageClass(IoReply.class, TIMEOUT));
    }

    @Test
    void logPagesAreReadThroughTheSupervisor()
    {
        bringUp(settings("LOG", 10, 3));
        final TestProbe<ControllerCommand.LogPage> pages = testKit.createTestProbe(ControllerCommand.LogPage.class);
        supervisor.tell(new ControllerCommand.GetLogPage(0x02, 0xFFFFFFFF, 512, pages.ref()));
        final ControllerCommand.LogPage smart = pages.expectMessageClass(ControllerCommand.LogPage.class, TIMEOUT);
        assertEquals(null, smart.error());
        assertEquals(512, smart.data().length);
        // A log page the controller does not have is answered with the device's typed refusal.
        supervisor.tell(new ControllerCommand.GetLogPage(0x7F, 0xFFFFFFFF, 512, pages.ref()));
        final ControllerCommand.LogPage missing = pages.expectMessageClass(ControllerCommand.LogPage.class, TIMEOUT);
        assertEquals(null, missing.data());
        assertInstanceOf(io.nvmeq.engine.NvmeException.class, missing.error());
    }

    @Test
    void requestsCaughtUnsubmittedByACrashAreResubmittedOnTheNewQueueAndAnsweredOnce() throws Exception
    {
        bringUp(settings("RETRY", 10, 3));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final int requests = 20;
        final List<DmaBuffer> written = new ArrayList<>();
        for (int i = 0; i < requests; i++)
        {
            final DmaBuffer buffer = ready.allocator().allocate(blockSize);
            buffer.buffer().putBytes(0, pattern(900 + i, blockSize));
            written.add(buffer);
        }

        // Stall the queue pair's thread, so that the writes and the crash are handled in one mailbox run:
        // the writes are in the SQ but the doorbell was not rung when the actor fails.
        stallQueueThreadAnd(0, () ->
        {
            for (int i = 0; i < requests; i++)
            {
                queue.tell(new IoRequest.Write(NSID, i, 1, written.get(i), 0, false, i, replies.ref()));
            }
            queue.tell(new QueuePairCommand.Crash("test", false));
        });
        assertAllDoneOnce(replies, requests);
        final QueuePairCounters counters = ready.counters().get(0);
        assertEquals(1, counters.restarts());
        assertTrue(counters.retries() >= requests, "every write was re-submitted: " + counters.retries());

        final DmaBuffer check = ready.allocator().allocate(requests * blockSize);
        queue.tell(new IoRequest.Read(NSID, 0, requests, check, 0, 99, replies.ref()));
        assertEquals(new IoReply.Done(99), replies.expectMessageClass(IoReply.class, TIMEOUT));
        for (int i = 0; i < requests; i++)
        {
            assertArrayEquals(pattern(900 + i, blockSize), contents(check, i * blockSize, blockSize), "block " + i);
        }
    }

    @Test
    void withoutRetriesTheRequestsHeldByAFailedQueueFailTypedAndNeverReachTheMedia() throws Exception
    {
        bringUp(settings("NORETRY", 10, 0));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(1);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(4 * blockSize);
        buffer.buffer().putBytes(0, pattern(77, 4 * blockSize));
        stallQueueThreadAnd(1, () ->
        {
            for (int i = 0; i < 4; i++)
            {
                queue.tell(new IoRequest.Write(NSID, 100 + i, 1, buffer, i * blockSize, false, i, replies.ref()));
            }
            queue.tell(new QueuePairCommand.Crash("test", false));
        });
        final Set<Long> tags = new HashSet<>();
        for (int i = 0; i < 4; i++)
        {
            final IoReply.Failed failed = assertInstanceOf(IoReply.Failed.class,
                replies.expectMessageClass(IoReply.class, TIMEOUT));
            // Never rung before the queue was reconnected: the answer says the request did nothing.
            assertInstanceOf(ControllerResetException.class, failed.error());
            assertTrue(failed.error().getMessage().contains("did nothing"), failed.error().getMessage());
            assertTrue(tags.add(failed.tag()));
        }
        replies.expectNoMessage(Duration.ofMillis(50));

        // The queue pair serves again, and the failed writes (never rung to the device) left nothing.
        final DmaBuffer check = ready.allocator().allocate(4 * blockSize);
        queue.tell(new IoRequest.Read(NSID, 100, 4, check, 0, 9, replies.ref()));
        assertEquals(new IoReply.Done(9), replies.expectMessageClass(IoReply.class, TIMEOUT));
        assertArrayEquals(new byte[4 * blockSize], contents(check, 0, 4 * blockSize));
    }

    @Test
    void aQueuePairThatKeepsFailingGivesUpAnswersEverythingAndTheOtherServesOn() throws Exception
    {
        // A long cool-down (max-backoff): the queue pair stays given up for the whole test.
        bringUp(settings("GIVEUP", Duration.ofSeconds(30), 2, 3));
        final int blockSize = ready.namespaces().get(0).blockSize();
        final ActorRef<QueuePairCommand> queue = ready.queuePairs().get(0);
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        final DmaBuffer buffer = ready.allocator().allocate(blockSize);

        // Three failures with no successful request in between exceed max-restarts = 2; each waits until
        // the queue pair was re-created (a failure during a restart is the same outage).
        failAndRecover(queue, replies, buffer, 2);
        queue.tell(new QueuePairCommand.Crash("test 2", false));
        for (int i = 0; i < 5; i++)
        {
            queue.tell(new IoRequest.Read(NSID, i, 1, buffer, 0, i, replies.ref()));
        }
        final Set<Long> tags = new HashSet<>();
        for (int i = 0; i < 5; i++)
        {
            final IoReply.Failed failed = assertInstanceOf(IoReply.Failed.class,
                replies.expectMessageClass(IoReply.class, TIMEOUT));
            assertTrue(tags.add(failed.tag()), "answered twice: " + failed);
            assertInstanceOf(QueuePairStoppedException.class, failed.error());
        }
        // It stays, refusing typed, rather than letting requests fall into dead letters.
        queue.tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 5, replies.ref()));
        assertInstanceOf(QueuePairStoppedException.class,
            assertInstanceOf(IoReply.Failed.class, replies.expectMessageClass(IoReply.class, TIMEOUT)).error());
        assertEquals(3, ready.counters().get(0).restarts());

        final TestProbe<ControllerCommand.QueuePairs> pairs = testKit.createTestProbe(ControllerCommand.QueuePairs.class);
        supervisor.tell(new ControllerCommand.GetQueuePairs(pairs.ref()));
        assertEquals(List.of(ready.queuePairs().get(1)),
            pairs.expectMessageClass(ControllerCommand.QueuePairs.class, TIMEOUT).queuePairs());
        ready.queuePairs().get(1).tell(new IoRequest.Read(NSID, 0, 1, buffer, 0, 42, replies.ref()));
        assertEquals(new IoReply.Done(42), replies.expectMessageClass(IoReply.class, TIMEOUT));

        final TestProbe<ControllerCommand.Health> health = testKit.createTestProbe(ControllerCommand.Health.class);
        supervisor.tell(new ControllerCommand.GetHealth(health.ref()));
        final ControllerCommand.Health report = health.expectMessageClass(ControllerCommand.Health.class, TIMEOUT);
        assertTrue(report.ready() && !report.fatal(), report.toString());
        assertEquals(1, report.queuePairsServing());
        assertEquals(1, report.queuePairsFailed());
        assertEquals(3, report.restarts());
    }

    /** Blocks queue {@code index}'s thread while {@code sends} runs, so that what it sends is handled in one mailbox run. */
    private void stallQueueThreadAnd(final int index, final Runnable sends) throws InterruptedException
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ActorRef<String> blocker = testKit.spawn(blocker(entered, release), "blocker-" + index + "-" + System.nanoTime(),
            CpuDispatchers.forCpu(testKit.system(), TestSupport.settings("x"), ready.cpus().get(index)));
        blocker.tell("block");
        assertTrue(entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        sends.run();
        release.countDown();
        testKit.stop(blocker);
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
