package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.nvmeq.engine.DmaBuffer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.nvmeq.actors.TestSupport.TIMEOUT;
import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Temporary IOVA mappings under a tiny IOMMU mapping limit while verified I/O runs on two queue pairs.
 * With a new buffer for each request, the mappings are exhausted over and over: an epoch closes every
 * few requests, each drained epoch is reset by the IOVA-mapping actor, never by a queue pair, and
 * requests meanwhile map into the other epoch or are bounced. With the same few buffers used again and
 * again, each is mapped once and its mapping reused. Every request is answered Done and every block
 * reads back what was last written.
 */
class IovaExhaustionTest
{
    private static final String SYSTEM = "iova-exhaustion-test";
    private static final int NSID = 1;

    /** The warm-up phase's blocks lie above the measured phase's (2 queues x 32 blocks x 2 LBAs). */
    private static final long WARM_UP_LBA = 1024;
    private static final long WARM_UP_MS = 1000;
    private static final long MEASURED_MS = 1500;

    /** Buffers each lane of a churning run goes round, each on a page of its own: 64 pages in all, for 40 mappings. */
    private static final int PAGES_PER_LANE = 4;
    private static final int PAGE = 4096;

    private static ActorTestKit testKit;

    /** Where the lanes' data lies. */
    enum Workload
    {
        /** Unregistered direct buffers, a different page for each request of a lane: mappings churn. */
        TEMPORARY_CHURNING("temporary mappings, limit 40, churning buffers"),
        /** One unregistered direct buffer per lane, used again by each request of the lane. */
        TEMPORARY_REUSED("temporary mappings, limit 40, reused buffers"),
        /** DMA buffers (fixed mappings, no temporary ones): the control run, what the machine itself adds. */
        DMA_CONTROL("DMA buffers (control)");

        final String label;

        Workload(final String label)
        {
            this.label = label;
        }
    }

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

    /**
     * 40 IOMMU mappings in all, about a dozen of them fixed (rings, PRP lists, bounce pools): with
     * churning unregistered direct buffers, epochs close every few requests. The same workload on DMA
     * buffers (fixed mappings, no temporary ones) is the control run, whose latencies show what the
     * machine itself adds.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Workload.class)
    void temporaryMappingsExhaustedOverAndOverNeverStallOrCorruptIo(final Workload workload) throws Exception
    {
        final String serial = "IOVA-" + workload.ordinal();
        final NvmeqSettings settings = TestSupport.settings(serial)
            .withDevice("emu:memory?size=4m&bs=512&mappings=40&serial=" + serial);
        final TestProbe<BringUp> listener = testKit.createTestProbe(BringUp.class);
        final ActorRef<ControllerCommand> supervisor = testKit.spawn(ControllerSupervisor.create(settings, listener.ref()));
        final BringUp.Ready ready = listener.expectMessageClass(BringUp.Ready.class, TIMEOUT);
        final int blockSize = ready.namespaces().get(0).blockSize();
        final int blocksPerOp = 2;
        final int blockCount = 32;
        final int lanes = 8;
        // A warm-up phase on blocks of their own first, so that each run is measured with its code compiled
        // (the run that goes first would otherwise pay for the JIT compiler's work on two shared cores).
        runWorkload(ready, serial + "-warm-up", workload, WARM_UP_LBA, blocksPerOp, blockSize, blockCount, lanes,
            WARM_UP_MS);
        final TestProbe<IovaCommand.IovaStats> warmProbe = testKit.createTestProbe(IovaCommand.IovaStats.class);
        ready.iovaMapper().tell(new IovaCommand.GetIovaStats(warmProbe.ref()));
        final IovaCommand.IovaStats warm = warmProbe.expectMessageClass(IovaCommand.IovaStats.class, TIMEOUT);
        final AtomicLong[] completed = {new AtomicLong(), new AtomicLong()};
        final List<VerifyingWorker.Report> results = runWorkload(ready, serial, workload, 0, blocksPerOp, blockSize,
            blockCount, lanes, MEASURED_MS, completed);
        final TestProbe<IovaCommand.IovaStats> statsProbe = testKit.createTestProbe(IovaCommand.IovaStats.class);
        ready.iovaMapper().tell(new IovaCommand.GetIovaStats(statsProbe.ref()));
        final IovaCommand.IovaStats total = statsProbe.expectMessageClass(IovaCommand.IovaStats.class, TIMEOUT);
        final IovaCommand.IovaStats stats = new IovaCommand.IovaStats(total.epochResets() - warm.epochResets(),
            total.refusals() - warm.refusals(), total.resetsByThisActor() - warm.resetsByThisActor(),
            total.registrations());
        long worst = 0;
        final Histogram latencies = new Histogram(3_600_000_000_000L, 2);
        for (int q = 0; q < 2; q++)
        {
            latencies.add(results.get(q).latencies());
            final VerifyingWorker.Report report = results.get(q);
            assertEquals(List.of(), report.problems(), "queue " + q);
            assertEquals(0, report.writesFailed(), "queue " + q);
            assertTrue(report.writesDone() > 50, "queue " + q + ": " + report);
            worst = Math.max(worst, report.worstLatencyNs());
        }
        System.out.printf("%s: %d + %d requests, %d epoch resets (%d by the IOVA mapper), %d mappings "
                + "refused (bounced); request latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, worst %.1f us%n",
            workload.label, completed[0].get(), completed[1].get(), stats.epochResets(), stats.resetsByThisActor(), stats.refusals(),
            latencies.getValueAtPercentile(50) / 1000.0, latencies.getValueAtPercentile(99) / 1000.0,
            latencies.getValueAtPercentile(99.9) / 1000.0, worst / 1000.0);
        if (workload == Workload.TEMPORARY_CHURNING)
        {
            assertTrue(stats.epochResets() >= 10, "epochs were exhausted over and over: " + stats);
        }
        if (workload == Workload.TEMPORARY_REUSED)
        {
            // 16 buffers, about 28 mappings free: each buffer is mapped about once and its mapping reused.
            assertTrue(stats.epochResets() < 10, "reused buffers do not exhaust the epochs: " + stats);
        }
        assertEquals(stats.epochResets(), stats.resetsByThisActor(), "every reset ran on the IOVA mapper, none on a queue pair");

        final TestProbe<IoReply> probe = testKit.createTestProbe(IoReply.class);
        final int length = blocksPerOp * blockSize;
        final DmaBuffer check = ready.allocator().allocate(blockCount * length);
        for (int q = 0; q < 2; q++)
        {
            ready.queuePairs().get(q).tell(new IoRequest.Read(NSID, (long)q * blockCount * blocksPerOp,
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

        final TestProbe<ControllerCommand.ShutdownComplete> done =
            testKit.createTestProbe(ControllerCommand.ShutdownComplete.class);
        supervisor.tell(new ControllerCommand.Shutdown(done.ref()));
        assertTrue(done.expectMessageClass(ControllerCommand.ShutdownComplete.class, TIMEOUT).clean());
    }

    private static List<VerifyingWorker.Report> runWorkload(final BringUp.Ready ready, final String name,
        final Workload workload, final long firstLba, final int blocksPerOp, final int blockSize, final int blockCount,
        final int lanes, final long millis, final AtomicLong... completed) throws InterruptedException
    {
        final List<ActorRef<VerifyingWorker.Command>> workers = new ArrayList<>();
        final List<DmaBuffer> dmaBuffers = new ArrayList<>();
        for (int q = 0; q < 2; q++)
        {
            final VerifyingWorker.LaneBuffer[] buffers = new VerifyingWorker.LaneBuffer[lanes];
            for (int lane = 0; lane < lanes; lane++)
            {
                // Direct but never registered: each request maps it temporarily (or is bounced).
                if (workload == Workload.TEMPORARY_CHURNING)
                {
                    buffers[lane] = new Rotating(blocksPerOp * blockSize);
                }
                else if (workload == Workload.TEMPORARY_REUSED)
                {
                    buffers[lane] = new VerifyingWorker.Plain(ByteBuffer.allocateDirect(blocksPerOp * blockSize));
                }
                else
                {
                    final DmaBuffer buffer = ready.allocator().allocate(blocksPerOp * blockSize);
                    dmaBuffers.add(buffer);
                    buffers[lane] = new VerifyingWorker.Dma(buffer);
                }
            }
            // Each worker on its queue pair's thread (co-located), so latencies are not cross-thread hand-offs.
            workers.add(testKit.spawn(VerifyingWorker.create(ready.queuePairs().get(q), q, NSID,
                firstLba + (long)q * blockCount * blocksPerOp, blocksPerOp, blocksPerOp * blockSize, blockCount, buffers,
                completed.length > q ? completed[q] : new AtomicLong()), name + "-worker-" + q, ready.dispatchers().get(q)));
        }
        Thread.sleep(millis);
        final TestProbe<VerifyingWorker.Report> reports = testKit.createTestProbe(VerifyingWorker.Report.class);
        final List<VerifyingWorker.Report> results = new ArrayList<>();
        for (final ActorRef<VerifyingWorker.Command> worker : workers)
        {
            worker.tell(new VerifyingWorker.Finish(reports.ref()));
            results.add(reports.expectMessageClass(VerifyingWorker.Report.class, TIMEOUT));
        }
        workers.forEach(testKit::stop);
        // Nothing is in flight: the buffers' fixed mappings go back (the mapping limit is small).
        dmaBuffers.forEach(DmaBuffer::close);
        return results;
    }

    /**
     * A lane's buffers for a churning run: {@link #PAGES_PER_LANE} direct buffers, each at the start of
     * a page of its own (so that no mapping covers two of them), taken in turn by the lane's requests.
     */
    private static final class Rotating implements VerifyingWorker.LaneBuffer
    {
        private final VerifyingWorker.Plain[] buffers = new VerifyingWorker.Plain[PAGES_PER_LANE];
        private int current;

        Rotating(final int bytes)
        {
            final ByteBuffer pages = ByteBuffer.allocateDirect((PAGES_PER_LANE + 1) * PAGE).alignedSlice(PAGE);
            for (int i = 0; i < PAGES_PER_LANE; i++)
            {
                buffers[i] = new VerifyingWorker.Plain(pages.slice(i * PAGE, bytes));
            }
        }

        /** Called before each request of the lane: the request takes the next buffer. */
        @Override
        public void fill(final byte[] bytes)
        {
            current = (current + 1) % PAGES_PER_LANE;
            buffers[current].fill(bytes);
        }

        @Override
        public byte[] contents(final int length)
        {
            return buffers[current].contents(length);
        }

        @Override
        public IoRequest read(final int nsid, final long lba, final int blocks, final long tag,
            final ActorRef<IoReply> replyTo)
        {
            return buffers[current].read(nsid, lba, blocks, tag, replyTo);
        }

        @Override
        public IoRequest write(final int nsid, final long lba, final int blocks, final boolean fua, final long tag,
            final ActorRef<IoReply> replyTo)
        {
            return buffers[current].write(nsid, lba, blocks, fua, tag, replyTo);
        }
    }
}
