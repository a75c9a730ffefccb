package io.nvmeq.examples.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.examples.io.Await;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A namespace served by {@code nvmeq serve} ({@code remote://}): every job's I/O goes through one
 * {@link RemoteNvmeq} session (to one queue pair of the server), from {@link RemoteClient}s.
 */
final class RemoteTarget implements BenchTarget
{
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(30);

    private final String device;
    private final RemoteNvmeq remote;
    private ByteBuffer transfer;
    private UnsafeBuffer transferView;

    RemoteTarget(final String device)
    {
        this.device = device;
        this.remote = RemoteNvmeq.open(device);
    }

    @Override
    public String engineName()
    {
        return "nvmeq-remote";
    }

    @Override
    public String description()
    {
        return device + " over Akka Cluster (" + (remote.options().tls() ? "mutual TLS" : "plain TCP on loopback") +
            "), one session to one queue pair of the server";
    }

    @Override
    public int lbaSize(final int nsid)
    {
        return remote.namespace(nsid).blockSize();
    }

    @Override
    public long capacity(final int nsid)
    {
        return remote.namespace(nsid).bytes();
    }

    @Override
    public int maxTransfer()
    {
        return (int)Math.min(Integer.MAX_VALUE, remote.controller().maxTransferBytes());
    }

    @Override
    public int maxJobs()
    {
        return Integer.MAX_VALUE;
    }

    @Override
    public UnsafeBuffer transferBuffer(final int bytes)
    {
        if (transfer == null || transfer.capacity() < bytes)
        {
            transfer = ByteBuffer.allocateDirect(bytes);
            transferView = new UnsafeBuffer(transfer);
        }
        return transferView;
    }

    @Override
    public void transfer(final boolean write, final int nsid, final long offset, final int length)
    {
        final int lbaSize = lbaSize(nsid);
        final long lba = offset / lbaSize;
        final int blocks = length / lbaSize;
        final ByteBuffer from = transfer.duplicate().clear();
        if (write)
        {
            Await.result(remote.write(nsid, lba, blocks, from, false), TRANSFER_TIMEOUT,
                "write of " + length + " bytes at offset " + offset);
        }
        else
        {
            Await.result(remote.read(nsid, lba, blocks, from), TRANSFER_TIMEOUT,
                "read of " + length + " bytes at offset " + offset);
        }
    }

    @Override
    public Running start(final List<JobContext> jobs)
    {
        final CountDownLatch finished = new CountDownLatch(jobs.size());
        final List<Worker> workers = new ArrayList<>(jobs.size());
        final List<RemoteClient> clients = new ArrayList<>(jobs.size());
        for (final JobContext job : jobs)
        {
            final int bs = job.spec.bs();
            final ByteBuffer memory = ByteBuffer.allocateDirect(bs * job.spec.iodepth());
            final UnsafeBuffer[] slots = new UnsafeBuffer[job.spec.iodepth()];
            final ByteBuffer[] slices = new ByteBuffer[slots.length];
            for (int slot = 0; slot < slots.length; slot++)
            {
                slices[slot] = memory.slice(slot * bs, bs);
                slots[slot] = new UnsafeBuffer(slices[slot]);
            }
            final Worker worker = new Worker(job, 0, slots, job.spec.seed() * 31 + job.index);
            workers.add(worker);
            clients.add(new RemoteClient(remote, worker, slices, finished));
        }
        clients.forEach(RemoteClient::start);
        // Direct buffers: freed by the garbage collector once no answer can reach them (answers after the
        // deadline are dropped, never copied).
        return new LatchedRun(workers, finished, () -> { });
    }

    @Override
    public void close()
    {
        remote.close();
    }
}
