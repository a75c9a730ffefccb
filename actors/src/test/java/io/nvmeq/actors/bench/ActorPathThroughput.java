package io.nvmeq.actors.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.IoOperation;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.IoRequest;
import io.nvmeq.actors.LocalQueuePair;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.nativeio.CpuAffinity;

/**
 * The actor path against the raw engine, same null-data emulated device, same queue depth, 4 KiB
 * reads, with 1 and then 2 queue pairs (one pinned thread per queue pair in both):
 * <ul>
 *   <li>raw engine: a thread owns a {@link QueuePair} and keeps it at the queue depth (submit, ring, poll);</li>
 *   <li>actor path: a client actor co-located on each queue-pair actor's thread keeps the queue depth
 *       outstanding, sending the next request from each answer:
 *       <ul>
 *         <li>tell, records: a new {@link IoRequest.Read} told per I/O, a new {@link IoReply} back (two
 *             mailbox hops);</li>
 *         <li>tell, operations: the same, with one reused {@link IoOperation} per slot (its own reply);</li>
 *         <li>tell, chains: the same operations, their answers chained per poll (one message a burst) and the
 *             next requests sent as one chain per message;</li>
 *         <li>local, records: {@link IoRequest.Read}s handed over through a {@link LocalQueuePair} (one
 *             hop: the reply);</li>
 *         <li>local, calls: {@link IoOperation}s through a {@link LocalQueuePair} with completions,
 *             answered by a call from the queue pair's poll (no message).</li>
 *       </ul></li>
 * </ul>
 * Reports I/Os per second, CPU nanoseconds per I/O (the I/O threads' CPU time: a cost that does not
 * depend on how much CPU a loaded machine gave them), both ratios, and bytes allocated per I/O on the
 * I/O threads (HotSpot's per-thread allocation counter), over a measured window after a warm-up. Not a test.
 * Usage: {@code ActorPathThroughput [queue-depth] [seconds] [busy-poll|self-poll] [rounds] [max-queue-pairs]}
 * (default 32, 3, busy-poll, 1, 2; rounds repeat every row in turn, so that A/B rows alternate; in
 * self-poll mode there is no local submission: those rows repeat the told path). The system property
 * {@code clients} picks rows (e.g. {@code -Dclients=TELL_OPERATIONS,LOCAL_CALLS}), for a profile of one path.
 */
public final class ActorPathThroughput
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;
    private static final int IO_BYTES = 4096;
    private static final int IO_BLOCKS = IO_BYTES / BLOCK;
    private static final long SPAN_BLOCKS = 1L << 20;
    private static final String DEVICE = "emu:null?size=1g&bs=" + BLOCK;

    /** Completed I/Os, allocated bytes and CPU time of the I/O threads over the measured window. */
    record Window(long ios, long bytes, long cpuNanos, long nanos)
    {
        Window plus(final Window other)
        {
            return new Window(ios + other.ios, bytes + other.bytes, cpuNanos + other.cpuNanos, Math.max(nanos, other.nanos));
        }

        double iops()
        {
            return ios * 1e9 / nanos;
        }

        /** CPU nanoseconds per I/O: the cost, independent of how much CPU the loaded machine gave the threads. */
        double cpuPerIo()
        {
            return (double)cpuNanos / ios;
        }
    }

    private static NvmeqSettings.PollMode pollMode;

    private ActorPathThroughput()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int depth = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        final double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        pollMode = NvmeqSettings.PollMode.parse(args.length > 2 ? args[2] : "busy-poll");
        final int[] cpus = BenchSupport.usableCpus();
        System.out.printf("4 KiB reads from %s at queue depth %d, %.1f s measured after %.1f s warm-up, %s, %s%n", DEVICE,
            depth, seconds, seconds / 2, pollMode.configName(), BenchSupport.load());
        final int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        final int maxQueues = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        for (int queues = 1; queues <= Math.min(maxQueues, cpus.length); queues++)
        {
            for (int round = 1; round <= rounds; round++)
            {
                final Window raw = rawEngine(queues, cpus, depth, seconds);
                System.out.printf("%d queue pair(s), round %d: raw engine          %,10.0f IOPS %5.0f CPU-ns/IO %5.1f B/IO%n",
                    queues, round, raw.iops(), raw.cpuPerIo(), (double)raw.bytes() / raw.ios());
                for (final Client client : clients())
                {
                    report(queues, round, client.label, actorPath(queues, cpus, depth, seconds, client), raw);
                }
            }
        }
    }

    /** The rows to run: all, or those named in the system property {@code clients} (e.g. TELL_OPERATIONS,LOCAL_CALLS). */
    private static List<Client> clients()
    {
        final String names = System.getProperty("clients");
        if (names == null || names.isBlank())
        {
            return List.of(Client.values());
        }
        final List<Client> chosen = new ArrayList<>();
        for (final String name : names.split(","))
        {
            chosen.add(Client.valueOf(name.trim()));
        }
        return chosen;
    }

    /** How the co-located client sends its requests and gets their answers. */
    enum Client
    {
        TELL_RECORDS("tell, records   "),
        TELL_OPERATIONS("tell, operations"),
        TELL_CHAINS("tell, chains    "),
        LOCAL_RECORDS("local, records  "),
        LOCAL_CALLS("local, calls    ");

        final String label;

        Client(final String label)
        {
            this.label = label;
        }
    }

    private static void report(final int queues, final int round, final String what, final Window actors, final Window raw)
    {
        System.out.printf("%d queue pair(s), round %d: %s %,10.0f IOPS %5.0f CPU-ns/IO %5.1f B/IO | ratio to raw %.2f "
                + "(IOPS), %.2f (CPU per I/O)%n", queues, round, what, actors.iops(), actors.cpuPerIo(),
            (double)actors.bytes() / actors.ios(), actors.iops() / raw.iops(), raw.cpuPerIo() / actors.cpuPerIo());
    }

    // ---------------------------------------------------------------- raw engine

    private static Window rawEngine(final int queues, final int[] cpus, final int depth, final double seconds)
        throws Exception
    {
        try (NvmeController controller = NvmeController.open(Devices.open(DEVICE),
            ControllerOptions.defaults().withIoQueuePairs(queues).withIoQueueEntries(depth + 1)))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final List<RawLoop> loops = new ArrayList<>();
            for (int q = 0; q < queues; q++)
            {
                final RawLoop loop = new RawLoop(controller.createQueuePair(q + 1, depth + 1),
                    controller.allocateBuffer(IO_BYTES * depth), depth, cpus[q % cpus.length], stop);
                loops.add(loop);
                loop.start();
            }
            final Window window = measure(loops.stream().map(RawLoop::progress).toList(), seconds);
            stop.set(true);
            for (final RawLoop loop : loops)
            {
                loop.join(10_000);
            }
            return window;
        }
    }

    /** Progress of one I/O thread: completions so far and its Java thread id. */
    interface Progress
    {
        long completed();

        long threadId();
    }

    private static final class RawLoop extends Thread implements CompletionHandler<Object>
    {
        private final QueuePair queuePair;
        private final DmaBuffer buffer;
        private final int depth;
        private final int cpu;
        private final AtomicBoolean stop;
        private final AtomicLong completed = new AtomicLong();
        private long count;
        private long nextLba;

        RawLoop(final QueuePair queuePair, final DmaBuffer buffer, final int depth, final int cpu, final AtomicBoolean stop)
        {
            super("raw-engine-" + queuePair.id());
            this.queuePair = queuePair;
            this.buffer = buffer;
            this.depth = depth;
            this.cpu = cpu;
            this.stop = stop;
            setDaemon(true);
        }

        Progress progress()
        {
            final long id = getId();
            return new Progress()
            {
                @Override
                public long completed()
                {
                    return completed.get();
                }

                @Override
                public long threadId()
                {
                    return id;
                }
            };
        }

        @Override
        public void run()
        {
            CpuAffinity.pinCurrentThread(cpu);
            while (!stop.get())
            {
                while (queuePair.inFlight() < depth)
                {
                    final int slot = queuePair.inFlight();
                    queuePair.submitRead(NSID, nextLba, IO_BLOCKS, buffer, slot * IO_BYTES, this, slot, null);
                    nextLba = (nextLba + IO_BLOCKS) % SPAN_BLOCKS;
                }
                queuePair.poll(depth);
            }
            while (queuePair.inFlight() > 0)
            {
                queuePair.poll(depth);
            }
        }

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            completed.lazySet(++count);
        }
    }

    // ---------------------------------------------------------------- actor path

    private static Window actorPath(final int queues, final int[] cpus, final int depth, final double seconds,
        final Client kind) throws Exception
    {
        final List<Integer> cpuList = new ArrayList<>();
        for (int q = 0; q < queues; q++)
        {
            cpuList.add(cpus[q % cpus.length]);
        }
        final NvmeqSettings settings = NvmeqSettings.load()
            .withDevice(DEVICE)
            .withQueuePairs(queues)
            .withQueueEntries(depth + 1)
            .withCpus(cpuList)
            .withPollMode(pollMode);
        try (Nvmeq nvmeq = Nvmeq.open(settings))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Progress> progress = new ArrayList<>();
            final List<CompletableFuture<Void>> stopped = new ArrayList<>();
            for (int q = 0; q < queues; q++)
            {
                final CompletableFuture<Long> threadId = new CompletableFuture<>();
                final CompletableFuture<Void> done = new CompletableFuture<>();
                final DmaBuffer buffer = nvmeq.allocate(IO_BYTES * depth);
                final AtomicLong completed = new AtomicLong();
                final Behavior<IoReply> client = kind == Client.TELL_RECORDS || kind == Client.LOCAL_RECORDS
                    ? client(nvmeq.queuePairRefs().get(q), buffer, depth, kind == Client.LOCAL_RECORDS, stop, completed, threadId, done)
                    : OperationClient.create(nvmeq.queuePairRefs().get(q), buffer, depth, kind, stop, completed, threadId, done);
                nvmeq.spawnColocated(q, client, "client-" + q);
                final long id = threadId.get(10, TimeUnit.SECONDS);
                stopped.add(done);
                progress.add(new Progress()
                {
                    @Override
                    public long completed()
                    {
                        return completed.get();
                    }

                    @Override
                    public long threadId()
                    {
                        return id;
                    }
                });
            }
            final Window window = measure(progress, seconds);
            stop.set(true);
            for (final CompletableFuture<Void> done : stopped)
            {
                done.get(10, TimeUnit.SECONDS);
            }
            return window;
        }
    }

    /** Keeps {@code depth} reads outstanding; each read's buffer slot is its tag modulo the depth. */
    private static Behavior<IoReply> client(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer,
        final int depth, final boolean useLocal, final AtomicBoolean stop, final AtomicLong completed, final CompletableFuture<Long> threadId,
        final CompletableFuture<Void> done)
    {
        return Behaviors.setup(context ->
        {
            threadId.complete(Thread.currentThread().getId());
            final ActorRef<IoReply> self = context.getSelf();
            final LocalQueuePair local = useLocal ? LocalQueuePair.of(queue) : null;
            final long[] state = {0, 0, depth}; // next LBA, completions, outstanding
            for (int tag = 0; tag < depth; tag++)
            {
                send(queue, local, new IoRequest.Read(NSID, state[0], IO_BLOCKS, buffer, tag * IO_BYTES, tag, self));
                state[0] = (state[0] + IO_BLOCKS) % SPAN_BLOCKS;
            }
            return Behaviors.receiveMessage(reply ->
            {
                completed.lazySet(++state[1]);
                if (stop.get() || reply instanceof IoReply.Failed)
                {
                    if (--state[2] == 0)
                    {
                        done.complete(null);
                        return Behaviors.stopped();
                    }
                    return Behaviors.same();
                }
                // The next read reuses the finished one's buffer slot (tag modulo depth).
                final long tag = reply.tag() + depth;
                send(queue, local, new IoRequest.Read(NSID, state[0], IO_BLOCKS, buffer, (int)(tag % depth) * IO_BYTES, tag,
                    self));
                state[0] = (state[0] + IO_BLOCKS) % SPAN_BLOCKS;
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

    /**
     * Keeps {@code depth} {@link IoOperation}s outstanding, one per buffer slot, each re-prepared and sent
     * again from its own answer: by a call from the queue pair's poll (local, with completions) or by a
     * message (told, and every answer that does not come from the poll); with chains, a message's answers
     * come linked and the next requests go out linked, one message.
     */
    private static final class OperationClient implements LocalQueuePair.Completions
    {
        private final ActorRef<QueuePairCommand> queue;
        private final LocalQueuePair local;
        private final boolean chains;
        private final DmaBuffer buffer;
        private final AtomicBoolean stop;
        private final AtomicLong completedOut;
        private final CompletableFuture<Void> done;
        private long nextLba;
        private long completed;
        private int outstanding;
        private IoOperation firstOut;
        private IoOperation lastOut;

        private OperationClient(final ActorRef<QueuePairCommand> queue, final LocalQueuePair local, final boolean chains,
            final DmaBuffer buffer, final AtomicBoolean stop, final AtomicLong completed, final CompletableFuture<Void> done)
        {
            this.queue = queue;
            this.local = local;
            this.chains = chains;
            this.buffer = buffer;
            this.stop = stop;
            this.completedOut = completed;
            this.done = done;
        }

        static Behavior<IoReply> create(final ActorRef<QueuePairCommand> queue, final DmaBuffer buffer, final int depth,
            final Client kind, final AtomicBoolean stop, final AtomicLong completed,
            final CompletableFuture<Long> threadId, final CompletableFuture<Void> done)
        {
            return Behaviors.setup(context ->
            {
                threadId.complete(Thread.currentThread().getId());
                final OperationClient[] client = new OperationClient[1];
                final LocalQueuePair local = kind == Client.LOCAL_CALLS
                    ? LocalQueuePair.of(queue, operation -> client[0].onAnswer(operation)) : null;
                final boolean chains = kind == Client.TELL_CHAINS;
                client[0] = new OperationClient(queue, local, chains, buffer, stop, completed, done);
                for (int slot = 0; slot < depth; slot++)
                {
                    client[0].send(chains ? IoOperation.chainingAnswers(context.getSelf()) : new IoOperation(context.getSelf()),
                        slot);
                }
                client[0].outstanding = depth;
                client[0].flush();
                return Behaviors.receiveMessage(reply ->
                {
                    // A chain's links are read before each answer is handled (handling prepares it anew).
                    for (IoOperation answer = (IoOperation)reply, next; answer != null; answer = next)
                    {
                        next = answer.nextAnswer();
                        client[0].onAnswer(answer);
                    }
                    client[0].flush();
                    return client[0].outstanding == 0 ? Behaviors.stopped() : Behaviors.same();
                });
            });
        }

        @Override
        public void onAnswer(final IoOperation operation)
        {
            completedOut.lazySet(++completed);
            if (stop.get() || operation.error() != null)
            {
                if (--outstanding == 0)
                {
                    done.complete(null);
                }
                return;
            }
            send(operation, (int)operation.tag());
        }

        /** The slot is the tag: its region of the buffer. */
        private void send(final IoOperation operation, final int slot)
        {
            operation.read(NSID, nextLba, IO_BLOCKS, buffer, slot * IO_BYTES, slot);
            nextLba = (nextLba + IO_BLOCKS) % SPAN_BLOCKS;
            if (local != null)
            {
                local.submit(operation);
            }
            else if (!chains)
            {
                queue.tell(operation);
            }
            else if (firstOut == null)
            {
                firstOut = operation;
                lastOut = operation;
            }
            else
            {
                lastOut = lastOut.then(operation);
            }
        }

        /** Chains: tells what was linked since the last message, as one. */
        private void flush()
        {
            if (firstOut != null)
            {
                queue.tell(firstOut);
                firstOut = null;
                lastOut = null;
            }
        }
    }

    // ---------------------------------------------------------------- measurement

    private static Window measure(final List<Progress> threads, final double seconds) throws InterruptedException
    {
        Thread.sleep((long)(seconds * 500));
        final long[] ios = new long[threads.size()];
        final long[] bytes = new long[threads.size()];
        final long[] cpu = new long[threads.size()];
        final long start = System.nanoTime();
        for (int i = 0; i < threads.size(); i++)
        {
            ios[i] = threads.get(i).completed();
            bytes[i] = BenchSupport.allocatedBytes(threads.get(i).threadId());
            cpu[i] = BenchSupport.cpuNanos(threads.get(i).threadId());
        }
        Thread.sleep((long)(seconds * 1000));
        final long nanos = System.nanoTime() - start;
        Window total = new Window(0, 0, 0, nanos);
        for (int i = 0; i < threads.size(); i++)
        {
            total = total.plus(new Window(threads.get(i).completed() - ios[i],
                BenchSupport.allocatedBytes(threads.get(i).threadId()) - bytes[i],
                BenchSupport.cpuNanos(threads.get(i).threadId()) - cpu[i], nanos));
        }
        return total;
    }
}
