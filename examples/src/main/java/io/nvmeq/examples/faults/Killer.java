package io.nvmeq.examples.faults;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import akka.actor.typed.ActorRef;
import io.nvmeq.actors.QueuePairCommand;

/**
 * Kills a random queue-pair actor at a fixed interval by sending it {@link QueuePairCommand.Crash}: half of the
 * kills fail the actor while it handles the message, half in its next completion poll (with commands in flight,
 * the harder case). Runs on its own daemon thread from {@link #start} until {@link #close}.
 */
final class Killer implements AutoCloseable
{
    private final List<ActorRef<QueuePairCommand>> queuePairs;
    private final long intervalNs;
    private final SplittableRandom random;
    private final AtomicLongArray kills;
    private ScheduledExecutorService thread;

    Killer(final List<ActorRef<QueuePairCommand>> queuePairs, final long intervalNs, final long seed)
    {
        this.queuePairs = List.copyOf(queuePairs);
        this.intervalNs = intervalNs;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.kills = new AtomicLongArray(queuePairs.size());
    }

    void start()
    {
        if (intervalNs == 0)
        {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread killer = new Thread(runnable, "nvmeq-faults-killer");
            killer.setDaemon(true);
            return killer;
        });
        thread.scheduleAtFixedRate(this::killOne, intervalNs, intervalNs, TimeUnit.NANOSECONDS);
    }

    /** Kills sent to queue pair {@code queue}. */
    long kills(final int queue)
    {
        return kills.get(queue);
    }

    long kills()
    {
        long total = 0;
        for (int queue = 0; queue < kills.length(); queue++)
        {
            total += kills.get(queue);
        }
        return total;
    }

    /** Stops killing; a kill being sent finishes first. */
    @Override
    public void close() throws InterruptedException
    {
        if (thread != null)
        {
            thread.shutdownNow();
            if (!thread.awaitTermination(5, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("the killer thread did not stop within 5 s");
            }
        }
    }

    private void killOne()
    {
        final int queue = random.nextInt(queuePairs.size());
        final boolean whilePolling = random.nextBoolean();
        final long kill = kills.incrementAndGet(queue);
        queuePairs.get(queue).tell(new QueuePairCommand.Crash("nvmeq faults: kill " + kill + " of queue " + queue +
            (whilePolling ? " while polling" : ""), whilePolling));
    }
}
