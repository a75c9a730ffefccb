package io.nvmeq.actors.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.IoRequest;
import io.nvmeq.actors.LocalQueuePair;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.engine.DmaBuffer;
import org.HdrHistogram.Histogram;

/**
 * Queue depth 1, 4 KiB reads of the same 4 MiB of data three ways, one after another in one JVM:
 * <ol>
 *   <li>an application actor co-located on the queue pair's thread (request and reply stay on one thread),
 *       telling its requests, then handing them over through a {@link LocalQueuePair};</li>
 *   <li>the {@link Nvmeq} facade from the main thread (a cross-thread hand-off each way);</li>
 *   <li>{@link FileChannel#read(ByteBuffer, long)} of a file holding the same bytes, in the page cache.</li>
 * </ol>
 * Not a test. Usage: {@code QueueDepthOneLatency [operations] [idle-strategy]} (default 200000, backoff);
 * each way runs twice and the second run is reported.
 */
public final class QueueDepthOneLatency
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;
    private static final int IO_BYTES = 4096;
    private static final int IO_BLOCKS = IO_BYTES / BLOCK;
    private static final int REGION_BYTES = 4 << 20;
    private static final int SLOTS = REGION_BYTES / IO_BYTES;

    private QueueDepthOneLatency()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int operations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        final NvmeqSettings.IdleStrategyKind idle =
            NvmeqSettings.IdleStrategyKind.parse(args.length > 1 ? args[1] : "backoff");
        final int[] cpus = BenchSupport.usableCpus();
        final int queueCpu = cpus[cpus.length - 1];
        System.out.printf("QD1 4 KiB reads, %d operations, queue pair on CPU %d, idle strategy %s, %s%n", operations,
            queueCpu, idle.configName(), BenchSupport.load());

        final byte[] data = new byte[REGION_BYTES];
        new java.util.Random(42).nextBytes(data);
        final NvmeqSettings settings = NvmeqSettings.load()
            .withDevice("emu:memory?size=64m&bs=" + BLOCK)
            .withQueuePairs(1)
            .withQueueEntries(64)
            .withCpus(List.of(queueCpu))
            .withIdleStrategy(idle);
        try (Nvmeq nvmeq = Nvmeq.open(settings))
        {
            final DmaBuffer fill = nvmeq.allocate(REGION_BYTES);
            fill.buffer().putBytes(0, data);
            // In pieces the controller takes in one command each (MDTS).
            final int chunk = 64 << 10;
            for (int offset = 0; offset < REGION_BYTES; offset += chunk)
            {
                nvmeq.queue(0).write(NSID, offset / BLOCK, chunk / BLOCK, fill, offset, false).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            }
            final DmaBuffer buffer = nvmeq.allocate(IO_BYTES);
            for (int round = 0; round < 2; round++)
            {
                final long start = System.nanoTime();
                final Histogram colocated = colocated(nvmeq, buffer, operations, round, false);
                final long colocatedNanos = System.nanoTime() - start;
                final long localStart = System.nanoTime();
                final Histogram local = colocated(nvmeq, buffer, operations, round, true);
                final long localNanos = System.nanoTime() - localStart;
                final long facadeStart = System.nanoTime();
                final Histogram facade = facade(nvmeq, buffer, operations, false);
                final long facadeNanos = System.nanoTime() - facadeStart;
                final long spinStart = System.nanoTime();
                final Histogram spinning = facade(nvmeq, buffer, operations, true);
                final long spinNanos = System.nanoTime() - spinStart;
                if (round == 1)
                {
                    BenchSupport.printLatency("actor co-located on the queue pair's thread", colocated, colocatedNanos);
                    BenchSupport.printLatency("same, submitting through LocalQueuePair", local, localNanos);
                    BenchSupport.printLatency("facade from another thread, get()", facade, facadeNanos);
                    BenchSupport.printLatency("facade from another thread, spinning", spinning, spinNanos);
                }
            }
        }

        final Path file = Files.createTempFile("nvmeq-qd1-", ".data");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(data), 0);
            channel.force(true);
            final ByteBuffer buffer = ByteBuffer.allocateDirect(IO_BYTES);
            for (int round = 0; round < 2; round++)
            {
                final long start = System.nanoTime();
                final Histogram pread = fileChannel(channel, buffer, operations);
                if (round == 1)
                {
                    BenchSupport.printLatency("FileChannel.read, page cache", pread, System.nanoTime() - start);
                }
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /** One actor on the queue pair's dispatcher: each reply sends the next read, on the same thread. */
    private static Histogram colocated(final Nvmeq nvmeq, final DmaBuffer buffer, final int operations, final int round,
        final boolean local) throws Exception
    {
        final CompletableFuture<Histogram> done = new CompletableFuture<>();
        final ActorRef<QueuePairCommand> queue = nvmeq.queuePairRefs().get(0);
        nvmeq.spawnColocated(0, client(queue, buffer, operations, local, done), "qd1-client-" + round + (local ? "-local" : ""));
        return done.get(5, TimeUnit.MINUTES);
    }

    private static Behavior<IoReply> client(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer,
        final int operations, final boolean useLocal, final CompletableFuture<Histogram> done)
    {
        return Behaviors.setup(context ->
        {
            final LocalQueuePair local = useLocal ? LocalQueuePair.of(queue) : null;
            final Histogram histogram = BenchSupport.histogram();
            final ActorRef<IoReply> self = context.getSelf();
            final long[] state = {0, System.nanoTime()};
            send(queue, local, new IoRequest.Read(NSID, 0, IO_BLOCKS, buffer, 0, 0, self));
            return Behaviors.receiveMessage(reply ->
            {
                final long now = System.nanoTime();
                histogram.recordValue(now - state[1]);
                if (reply instanceof IoReply.Failed failed)
                {
                    done.completeExceptionally(failed.error());
                    return Behaviors.stopped();
                }
                final long next = ++state[0];
                if (next == operations)
                {
                    done.complete(histogram);
                    return Behaviors.stopped();
                }
                state[1] = System.nanoTime();
                send(queue, local, new IoRequest.Read(NSID, (next % SLOTS) * IO_BLOCKS, IO_BLOCKS, buffer, 0, next, self));
                return Behaviors.same();
            });
        });
    }

    private static void send(final ActorRef<QueuePairCommand> queue, final LocalQueuePair local, final IoRequest request)
    {
        if (local != null)
        {
            local.submit(request);
        }
        else
        {
            queue.tell(request);
        }
    }

    /** With {@code spin} the caller polls the stage instead of parking in get(): the hand-off without a wake-up. */
    private static Histogram facade(final Nvmeq nvmeq, final DmaBuffer buffer, final int operations, final boolean spin)
        throws Exception
    {
        final Histogram histogram = BenchSupport.histogram();
        for (int i = 0; i < operations; i++)
        {
            final long start = System.nanoTime();
            final CompletableFuture<Void> read =
                nvmeq.queue(0).read(NSID, (long)(i % SLOTS) * IO_BLOCKS, IO_BLOCKS, buffer, 0).toCompletableFuture();
            if (spin)
            {
                while (!read.isDone())
                {
                    Thread.onSpinWait();
                }
            }
            read.get();
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }

    private static Histogram fileChannel(final FileChannel channel, final ByteBuffer buffer, final int operations)
        throws IOException
    {
        final Histogram histogram = BenchSupport.histogram();
        for (int i = 0; i < operations; i++)
        {
            final long start = System.nanoTime();
            buffer.clear();
            channel.read(buffer, (long)(i % SLOTS) * IO_BYTES);
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }
}
