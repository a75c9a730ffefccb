package io.nvmeq.examples.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.ControllerCommand;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NamespaceInfo;

/**
 * Runs one fault drill: opens the device through the {@link Nvmeq} facade, puts a {@link VerifyingClient} on
 * each queue pair's thread, waits for them to lay out their shares, runs the workload while the {@link Killer}
 * crashes queue-pair actors, then waits for the drain and the read-back and collects what everyone counted.
 * Every wait is bounded by the spec's phase timeout; a client that does not finish in time is told to give up
 * and its outstanding requests count as unanswered.
 */
final class FaultDrill
{
    /** The options do not fit the device (only known once it is open): a usage error. */
    static final class OptionsException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        OptionsException(final String message)
        {
            super(message);
        }
    }

    /** How long a client told to give up may take to report. */
    private static final long ABANDON_WAIT_MS = 5_000;

    private final String device;
    private final DrillSpec spec;

    FaultDrill(final String device, final DrillSpec spec)
    {
        this.device = device;
        this.spec = spec;
    }

    FaultsResult run() throws InterruptedException
    {
        final NvmeqSettings settings = NvmeqSettings.load()
            .withDevice(device)
            .withQueuePairs(spec.queues())
            .withQueueEntries(Math.max(256, spec.iodepth() + 1));
        final AtomicLong strays = new AtomicLong();
        final Nvmeq nvmeq = Nvmeq.open(settings);
        final Drilled drilled;
        try
        {
            drilled = drill(nvmeq, strays);
        }
        finally
        {
            nvmeq.close();
        }
        // Read only now: an answer given twice may arrive until the queue pairs are stopped.
        return new FaultsResult(device, spec, drilled.lbaSize, drilled.elapsedNs, drilled.clients, drilled.kills,
            drilled.restarts, strays.get(), drilled.health.queuePairsServing(), drilled.health.queuePairsFailed(),
            drilled.problems);
    }

    private record Drilled(int lbaSize, long elapsedNs, List<ClientResult> clients, List<Long> kills,
        List<Long> restarts, ControllerCommand.Health health, List<String> problems)
    {
    }

    private Drilled drill(final Nvmeq nvmeq, final AtomicLong strays) throws InterruptedException
    {
        final int queues = spec.queues();
        if (nvmeq.queuePairs() < queues)
        {
            throw new OptionsException("the controller granted " + nvmeq.queuePairs() + " queue pairs, not the " +
                queues + " asked for with --queue-pairs");
        }
        final NamespaceInfo namespace = nvmeq.namespace(spec.nsid());
        final int lbaSize = namespace.blockSize();
        if (spec.size() > namespace.bytes())
        {
            throw new OptionsException("--size " + spec.size() + " is larger than namespace " + spec.nsid() +
                " (" + namespace.bytes() + " bytes)");
        }
        final long totalBlocks = spec.size() / lbaSize;
        if (totalBlocks / queues < 2L * spec.iodepth() || totalBlocks / queues > Integer.MAX_VALUE)
        {
            throw new OptionsException("--size " + spec.size() + " gives each of the " + queues + " queue pairs " +
                totalBlocks / queues + " blocks of " + lbaSize + " bytes; each needs at least twice --iodepth (" +
                2L * spec.iodepth() + ") and at most 2^31 - 1");
        }

        final long[] restartsBefore = new long[queues];
        final List<DmaBuffer> buffers = new ArrayList<>(queues);
        final List<CompletableFuture<Long>> laidOut = new ArrayList<>(queues);
        final List<CompletableFuture<ClientResult>> done = new ArrayList<>(queues);
        final List<ActorRef<Object>> clients = new ArrayList<>(queues);
        final List<String> problems = new ArrayList<>();
        final long start = System.nanoTime();
        for (int queue = 0; queue < queues; queue++)
        {
            restartsBefore[queue] = nvmeq.counters(queue).restarts();
            final int blocks = (int)((totalBlocks - queue + queues - 1) / queues);
            final DmaBuffer buffer = nvmeq.allocate(spec.iodepth() * lbaSize);
            buffers.add(buffer);
            laidOut.add(new CompletableFuture<>());
            done.add(new CompletableFuture<>());
            clients.add(nvmeq.spawnColocated(queue, VerifyingClient.create(nvmeq.queuePairRefs().get(queue), queue,
                queues, spec.nsid(), lbaSize, blocks, spec.rwmixread(), spec.seed(), buffer, laidOut.get(queue),
                done.get(queue), strays), "faults-client-" + queue));
        }

        final Killer killer = new Killer(nvmeq.queuePairRefs().subList(0, queues), spec.killIntervalNs(), spec.seed());
        final long layoutDeadline = System.nanoTime() + spec.phaseTimeout().toNanos();
        long notLaidOut = 0;
        for (int queue = 0; queue < queues; queue++)
        {
            final Long failed = await(laidOut.get(queue), layoutDeadline);
            if (failed == null)
            {
                problems.add("queue " + queue + " did not lay out its share within " + spec.phaseTimeout().toSeconds() +
                    " s");
            }
            else
            {
                notLaidOut += failed;
            }
        }
        if (problems.isEmpty() && notLaidOut == 0)
        {
            killer.start();
            for (final ActorRef<Object> client : clients)
            {
                client.tell(new VerifyingClient.StartRun(java.time.Duration.ofNanos(spec.runtimeNs())));
            }
            TimeUnit.NANOSECONDS.sleep(spec.runtimeNs());
        }
        else
        {
            clients.forEach(client -> client.tell(new VerifyingClient.Abandon()));
        }
        killer.close();

        // Drain and read-back: each bounded by the phase timeout.
        final long deadline = System.nanoTime() + 2 * spec.phaseTimeout().toNanos();
        final List<ClientResult> results = new ArrayList<>(queues);
        for (int queue = 0; queue < queues; queue++)
        {
            ClientResult result = await(done.get(queue), deadline);
            if (result == null)
            {
                problems.add("queue " + queue + " did not drain and read back within " +
                    2 * spec.phaseTimeout().toSeconds() + " s; told to give up");
                clients.get(queue).tell(new VerifyingClient.Abandon());
                result = await(done.get(queue), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABANDON_WAIT_MS));
            }
            if (result == null)
            {
                problems.add("queue " + queue + "'s client did not report at all");
                continue;
            }
            results.add(result);
            if (result.unanswered() == 0)
            {
                // Only with nothing outstanding: the device must never touch a freed buffer.
                buffers.get(queue).close();
            }
        }
        final long elapsedNs = System.nanoTime() - start;

        final List<Long> kills = new ArrayList<>(queues);
        final List<Long> restarts = new ArrayList<>(queues);
        for (int queue = 0; queue < queues; queue++)
        {
            kills.add(killer.kills(queue));
            restarts.add(nvmeq.counters(queue).restarts() - restartsBefore[queue]);
        }
        return new Drilled(lbaSize, elapsedNs, results, kills, restarts, nvmeq.health(), problems);
    }

    /** The future's value, or null if it is not done by {@code deadline} (System.nanoTime). */
    private static <T> T await(final CompletableFuture<T> future, final long deadline) throws InterruptedException
    {
        try
        {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            return null;
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("a fault-drill client failed", ex.getCause());
        }
    }
}
