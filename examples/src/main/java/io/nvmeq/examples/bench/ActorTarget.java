package io.nvmeq.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.QueuePairCounters;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.examples.io.Await;

/**
 * The actor path: the device opened through the {@link Nvmeq} facade, with one queue-pair actor per job. The
 * jobs' load comes from {@link ColocatedClient}s on the queue pairs' own dispatchers, or from
 * {@link FacadeClient}s outside the actor system.
 */
final class ActorTarget extends NvmeqTarget
{
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final ClientPlacement placement;
    private final QueueThreadFigures queueThreads;
    /** The queue-pair threads at the start of the last workload. */
    private QueueThreadFigures.Reading threadsAtStart;

    ActorTarget(final NvmeqSettings settings, final ClientPlacement placement)
    {
        super(settings);
        this.placement = placement;
        final List<QueuePairCounters> counters = new ArrayList<>();
        for (int queue = 0; queue < nvmeq.queuePairs(); queue++)
        {
            counters.add(nvmeq.counters(queue));
        }
        this.queueThreads = new QueueThreadFigures(counters);
        this.threadsAtStart = queueThreads.read();
    }

    @Override
    public String engineName()
    {
        return "nvmeq-actors";
    }

    @Override
    public String description()
    {
        return settings.device() + " through queue-pair actors on CPUs " + nvmeq.cpus() + ", " +
            switch (placement)
            {
                case COLOCATED -> "client actors co-located on the queue pairs' dispatchers, requests told in chains";
                case TELL -> "client actors co-located on the queue pairs' dispatchers, each request told on its own";
                case LOCAL -> "client actors co-located on the queue pairs' dispatchers, requests and answers by calls";
                case FACADE -> "clients outside the actor system through the Nvmeq facade";
            };
    }

    @Override
    public int maxJobs()
    {
        return nvmeq.queuePairs();
    }

    @Override
    public void transfer(final boolean write, final int nsid, final long offset, final int length)
    {
        final int lbaSize = lbaSize(nsid);
        final long lba = offset / lbaSize;
        final int blocks = length / lbaSize;
        if (write)
        {
            Await.result(nvmeq.queue(0).write(nsid, lba, blocks, transfer, 0, false), TRANSFER_TIMEOUT,
                "write of " + length + " bytes at offset " + offset);
        }
        else
        {
            Await.result(nvmeq.queue(0).read(nsid, lba, blocks, transfer, 0), TRANSFER_TIMEOUT,
                "read of " + length + " bytes at offset " + offset);
        }
    }

    @Override
    public Running start(final List<JobContext> jobs)
    {
        final CountDownLatch finished = new CountDownLatch(jobs.size());
        final List<Worker> workers = new ArrayList<>(jobs.size());
        final List<DmaBuffer> buffers = new ArrayList<>(jobs.size());
        final List<ActorRef<Object>> clients = new ArrayList<>(jobs.size());
        final List<FacadeClient> facadeClients = new ArrayList<>(jobs.size());
        final int run = RUNS.incrementAndGet();
        threadsAtStart = queueThreads.read();
        for (final JobContext job : jobs)
        {
            final DmaBuffer buffer = nvmeq.allocate(job.spec.bs() * job.spec.iodepth());
            buffers.add(buffer);
            final Worker worker = Worker.forJob(job, buffer.buffer());
            workers.add(worker);
            final int queue = job.index;
            if (placement != ClientPlacement.FACADE)
            {
                clients.add(nvmeq.spawnColocated(queue, ColocatedClient.create(nvmeq.queuePairRefs().get(queue), worker,
                    buffer, finished, placement), "bench-" + run + "-job-" + job.index));
            }
            else
            {
                facadeClients.add(new FacadeClient(nvmeq, queue, worker, buffer, finished));
            }
        }
        for (final ActorRef<Object> client : clients)
        {
            client.tell(new ColocatedClient.Start());
        }
        for (final FacadeClient client : facadeClients)
        {
            client.start();
        }
        return new LatchedRun(workers, finished, () ->
        {
            for (final ActorRef<Object> client : clients)
            {
                client.tell(new ColocatedClient.Stop());
            }
            if (finished.getCount() == 0)
            {
                // Only once nothing is outstanding: the device must never write into a freed buffer.
                buffers.forEach(DmaBuffer::close);
            }
        });
    }

    @Override
    public void resetDutyCycles()
    {
        for (int queue = 0; queue < nvmeq.queuePairs(); queue++)
        {
            nvmeq.counters(queue).resetDutyCycles();
        }
    }

    @Override
    public NvmeqFigures nvmeqFigures()
    {
        long max = 0;
        long over = 0;
        long zeroCopy = 0;
        long temporary = 0;
        long bounced = 0;
        long retries = 0;
        long aborts = 0;
        long restarts = 0;
        for (int queue = 0; queue < nvmeq.queuePairs(); queue++)
        {
            final QueuePairCounters counters = nvmeq.counters(queue);
            max = Math.max(max, counters.maxDutyCycleNanos());
            over += counters.dutyCyclesOverThreshold();
            zeroCopy += counters.zeroCopy();
            temporary += counters.temporaryMapped();
            bounced += counters.bounced();
            retries += counters.retries();
            aborts += counters.aborts();
            restarts += counters.restarts();
        }
        final QueueThreadFigures.Reading end = queueThreads.read();
        final QueueThreadFigures.Reading start = threadsAtStart;
        return new NvmeqFigures(max, over, zeroCopy, temporary, bounced, retries, aborts, restarts,
            settings.pollMode() == NvmeqSettings.PollMode.BUSY_POLL ? settings.completionMode().configName() :
                settings.pollMode().configName(),
            queueThreads.threadCount(), queueThreads.threadCount() == 0 ? -1 : end.cpuPercentSince(start),
            end.sleeps() - start.sleeps(), end.interrupts() - start.interrupts(),
            end.spuriousWakeups() - start.spuriousWakeups(), end.pollWindowHits() - start.pollWindowHits());
    }

    @Override
    public void close()
    {
        nvmeq.close();
    }
}
