package io.nvmeq.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.nativeio.CpuAffinity;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine without actors: the controller opened directly, one queue pair per job, each driven by one thread
 * of its own pinned to a CPU that submits, rings the doorbell once per batch and polls — the least a JVM
 * program on nvmeq can do per I/O.
 */
final class RawTarget implements BenchTarget
{
    private static final Logger LOG = LoggerFactory.getLogger(RawTarget.class);
    /** How long after a job's end its outstanding commands may take to complete. */
    static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);

    private final String uri;
    private final NvmeController controller;
    private final List<QueuePair> queuePairs = new ArrayList<>();
    private final List<Integer> cpus = new ArrayList<>();
    private DmaBuffer transfer;

    /** Opens {@code uri} with {@code jobs} queue pairs of at least {@code iodepth + 1} entries each. */
    RawTarget(final String uri, final int jobs, final int iodepth)
    {
        this.uri = uri;
        final ControllerOptions options = ControllerOptions.defaults().withIoQueuePairs(jobs);
        this.controller = NvmeController.open(Devices.open(uri), options);
        try
        {
            final int entries = Math.min(controller.info().maxQueueEntries(), Math.max(256, iodepth + 1));
            final BitSet usable = CpuAffinity.currentThreadAffinity();
            usable.and(CpuAffinity.onlineCpus());
            int cpu = usable.nextSetBit(0);
            for (int qid = 1; qid <= controller.grantedIoQueuePairs(); qid++)
            {
                queuePairs.add(controller.createQueuePair(qid, entries));
                cpus.add(cpu);
                cpu = usable.nextSetBit(cpu + 1) < 0 ? usable.nextSetBit(0) : usable.nextSetBit(cpu + 1);
            }
        }
        catch (final RuntimeException ex)
        {
            controller.close();
            throw ex;
        }
    }

    @Override
    public String engineName()
    {
        return "nvmeq-raw";
    }

    @Override
    public String description()
    {
        return uri + " through the engine alone: one pinned thread per queue pair (CPUs " + cpus + ") submits, " +
            "rings and polls";
    }

    @Override
    public int lbaSize(final int nsid)
    {
        return controller.namespace(nsid).blockSize();
    }

    @Override
    public long capacity(final int nsid)
    {
        return controller.namespace(nsid).bytes();
    }

    @Override
    public int maxTransfer()
    {
        return (int)Math.min(Integer.MAX_VALUE, controller.info().maxTransferBytes());
    }

    @Override
    public int maxJobs()
    {
        return queuePairs.size();
    }

    @Override
    public UnsafeBuffer transferBuffer(final int bytes)
    {
        if (transfer == null || transfer.capacity() < bytes)
        {
            if (transfer != null)
            {
                transfer.close();
            }
            transfer = controller.allocateBuffer(bytes);
        }
        return transfer.buffer();
    }

    @Override
    public void transfer(final boolean write, final int nsid, final long offset, final int length)
    {
        final QueuePair queuePair = queuePairs.get(0);
        final int lbaSize = lbaSize(nsid);
        final int[] status = {-1};
        final CompletionHandler<Object> handler = (token, attachment, s) -> status[0] = s;
        final boolean submitted = write ?
            queuePair.submitWrite(nsid, offset / lbaSize, length / lbaSize, transfer, 0, false, handler, 0, null) :
            queuePair.submitRead(nsid, offset / lbaSize, length / lbaSize, transfer, 0, handler, 0, null);
        if (!submitted)
        {
            throw new IllegalStateException("queue pair " + queuePair.id() + " is unexpectedly full");
        }
        final long deadline = System.nanoTime() + DRAIN_NS;
        while (status[0] < 0)
        {
            queuePair.poll(1);
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException((write ? "write" : "read") + " at offset " + offset +
                    " got no completion within " + Duration.ofNanos(DRAIN_NS).toSeconds() + " s");
            }
        }
        if (!Status.isSuccess(status[0]))
        {
            throw new CommandFailedException(write ? Opcodes.NVM_WRITE : Opcodes.NVM_READ, false, status[0]);
        }
    }

    @Override
    public Running start(final List<JobContext> jobs)
    {
        return ThreadedRun.startPerJob(jobs, controller::allocateBuffer,
            (job, worker, buffer) -> new Driver(queuePairs.get(job.index), cpus.get(job.index), worker, buffer),
            "nvmeq-bench-raw-");
    }

    @Override
    public void close()
    {
        if (transfer != null)
        {
            transfer.close();
        }
        controller.close();
    }

    /** One job's thread: keeps every slot busy until the job ends, then drains (bounded). */
    private static final class Driver implements Runnable, CompletionHandler<Object>
    {
        private final QueuePair queuePair;
        private final int cpu;
        private final Worker worker;
        private final DmaBuffer buffer;
        private final boolean[] busy;
        private final int nsid;
        private final int bs;
        private final boolean fua;
        /**
         * When this poll's first completion was seen, 0 before it: every completion one poll reaps is timed
         * then, one clock read per poll instead of one per I/O (a clock read, ≈25 ns in this KVM guest, costs
         * about as much as the engine's whole completion path). Inline, the device posted all of them before
         * the poll began; with device threads one posted while the poll reaps is timed early by at most
         * the reaping of the entries before it (a few tens of ns each).
         */
        private long reapedAt;

        Driver(final QueuePair queuePair, final int cpu, final Worker worker, final DmaBuffer buffer)
        {
            this.queuePair = queuePair;
            this.cpu = cpu;
            this.worker = worker;
            this.buffer = buffer;
            this.busy = new boolean[worker.slots()];
            this.nsid = worker.job().spec.nsid();
            this.bs = worker.job().spec.bs();
            this.fua = worker.job().spec.fua();
        }

        @Override
        public void run()
        {
            try
            {
                CpuAffinity.pinCurrentThread(cpu);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("bench thread for queue pair {} runs unpinned: {}", queuePair.id(), ex.getMessage());
            }
            final long drainDeadline = worker.job().endAt + DRAIN_NS;
            try
            {
                while (true)
                {
                    final long now = System.nanoTime();
                    for (int slot = 0; slot < busy.length; slot++)
                    {
                        if (!busy[slot] && worker.mayIssue(now))
                        {
                            submit(slot, now);
                        }
                    }
                    reapedAt = 0;
                    queuePair.poll(busy.length);
                    if (worker.finished(reapedAt != 0 ? reapedAt : System.nanoTime()))
                    {
                        return;
                    }
                    if (now - drainDeadline > 0)
                    {
                        worker.abandon(worker.inFlight() + " command(s) on queue pair " + queuePair.id() +
                            " got no completion within " + Duration.ofNanos(DRAIN_NS).toSeconds() +
                            " s of the job's end");
                        return;
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                worker.abandon("queue pair " + queuePair.id() + " failed: " + ex.getMessage());
            }
        }

        private void submit(final int slot, final long now)
        {
            worker.issue(slot, now);
            busy[slot] = true;
            final boolean submitted = worker.isRead(slot) ?
                queuePair.submitRead(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs, this, slot, null) :
                queuePair.submitWrite(nsid, worker.lba(slot), worker.lbaCount(), buffer, slot * bs, fua, this, slot, null);
            if (!submitted)
            {
                busy[slot] = false;
                worker.failed(slot, "queue pair " + queuePair.id() + " is full (it holds " + queuePair.capacity() +
                    " commands)");
            }
        }

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            final int slot = (int)token;
            busy[slot] = false;
            if (Status.isSuccess(status))
            {
                if (reapedAt == 0)
                {
                    reapedAt = System.nanoTime();
                }
                worker.completed(slot, reapedAt);
            }
            else
            {
                worker.failed(slot, new CommandFailedException(
                    worker.isRead(slot) ? Opcodes.NVM_READ : Opcodes.NVM_WRITE, false, status).getMessage());
            }
        }
    }
}
