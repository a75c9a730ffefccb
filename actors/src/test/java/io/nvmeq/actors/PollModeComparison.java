package io.nvmeq.actors;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.dispatch.CpuDispatchers;
import io.nvmeq.engine.DmaBuffer;

/**
 * Compares the two ways of polling completions (not a test: run it by hand, numbers depend on the
 * machine). For each poll mode, one queue pair on one CPU, 1-block reads from the emulated
 * controller's memory backend:
 * <ul>
 *   <li>co-located: a requester actor on the queue pair's own dispatcher (same thread), at queue depth 1 and 32;</li>
 *   <li>facade: a plain thread through {@link Nvmeq}, queue depth 1 (pays the cross-thread hand-off).</li>
 * </ul>
 * Usage: {@code PollModeComparison [cpu] [operations]}.
 */
public final class PollModeComparison
{
    private PollModeComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int cpu = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        final long operations = args.length > 1 ? Long.parseLong(args[1]) : 200_000;
        for (int round = 0; round < 2; round++)
        {
            for (final NvmeqSettings.PollMode mode : NvmeqSettings.PollMode.values())
            {
                final NvmeqSettings settings = NvmeqSettings.load()
                    .withDevice("emu:memory?size=16m&bs=512")
                    .withQueuePairs(1)
                    .withQueueEntries(64)
                    .withCpus(List.of(cpu))
                    .withPollMode(mode);
                try (Nvmeq nvmeq = Nvmeq.open(settings))
                {
                    final String label = (round == 0 ? "warm-up " : "") + mode.configName();
                    report(label, "co-located QD1 ", operations, colocated(nvmeq, settings, cpu, 1, operations));
                    report(label, "co-located QD32", operations, colocated(nvmeq, settings, cpu, 32, operations));
                    report(label, "facade QD1     ", operations / 4, facade(nvmeq, operations / 4));
                }
            }
        }
    }

    private static void report(final String mode, final String what, final long operations, final long nanos)
    {
        System.out.printf("%-18s %s %10.0f ops/s  %8.0f ns/op%n", mode, what, operations * 1e9 / nanos,
            (double)nanos / operations);
    }

    private static long colocated(final Nvmeq nvmeq, final NvmeqSettings settings, final int cpu, final int depth,
        final long operations) throws Exception
    {
        final DmaBuffer buffer = nvmeq.allocate(depth * 512);
        final CompletableFuture<Long> elapsed = new CompletableFuture<>();
        final ActorSystem<?> system = nvmeq.system();
        // A system actor can be spawned from outside; placed on the queue pair's dispatcher it shares its thread.
        system.systemActorOf(requester(nvmeq.queuePairRefs().get(0), buffer, depth, operations, elapsed),
            "requester-" + System.nanoTime(), CpuDispatchers.forCpu(system, settings, cpu));
        final long nanos = elapsed.get(5, TimeUnit.MINUTES);
        buffer.close();
        return nanos;
    }

    private static Behavior<IoReply> requester(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer,
        final int depth, final long operations, final CompletableFuture<Long> elapsed)
    {
        return Behaviors.setup(context ->
        {
            final long start = System.nanoTime();
            final long[] counts = new long[2]; // sent, completed
            for (int i = 0; i < depth; i++)
            {
                queue.tell(new IoRequest.Read(1, i, 1, buffer, i * 512, i, context.getSelf()));
                counts[0]++;
            }
            return Behaviors.receive(IoReply.class)
                .onMessage(IoReply.Done.class, done ->
                {
                    if (++counts[1] == operations)
                    {
                        elapsed.complete(System.nanoTime() - start);
                        return Behaviors.stopped();
                    }
                    if (counts[0] < operations)
                    {
                        final int slot = (int)done.tag();
                        queue.tell(new IoRequest.Read(1, slot, 1, buffer, slot * 512, slot, context.getSelf()));
                        counts[0]++;
                    }
                    return Behaviors.same();
                })
                .onMessage(IoReply.Failed.class, failed ->
                {
                    elapsed.completeExceptionally(failed.error());
                    return Behaviors.stopped();
                })
                .build();
        });
    }

    private static long facade(final Nvmeq nvmeq, final long operations)
    {
        final DmaBuffer buffer = nvmeq.allocate(512);
        final long start = System.nanoTime();
        for (long i = 0; i < operations; i++)
        {
            nvmeq.queue(0).read(1, i & 1023, 1, buffer, 0).toCompletableFuture().join();
        }
        final long nanos = System.nanoTime() - start;
        buffer.close();
        return nanos;
    }
}
