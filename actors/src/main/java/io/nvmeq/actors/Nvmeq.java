package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.actors.remote.RemoteOutcomeUnknownException;
import io.nvmeq.actors.remote.RemoteUnavailableException;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.RegisteredBuffer;
import io.nvmeq.engine.ShutdownFailedException;

/**
 * nvmeq for code that is not an actor: opens a controller behind its own actor system, or a namespace
 * served by {@code nvmeq serve} elsewhere ({@code remote://HOST:PORT/SERIAL/NSID}). Thread-safe.
 *
 * <p><b>Which API.</b>
 * <ul>
 *   <li>A thread that does its own I/O and waits for it (a blocking read, a few requests in flight):
 *       open a {@link #threadQueue()} per thread and keep it. That thread then owns an NVMe queue pair,
 *       submits and polls it itself, and pays about what the engine pays per I/O (no actor, no thread
 *       hand-off, no park/unpark); its {@code readAsync} stages are completed by polling, too.</li>
 *   <li>Many threads sharing the queue pairs, or requests answered on another thread: {@code read},
 *       {@code write}, ... here, or on {@link #queue(int) queue(index)}. They return
 *       {@link CompletionStage}s completed by the queue-pair actors, which costs a hand-off between
 *       threads each way (tens of microseconds when the caller then parks waiting for it).</li>
 *   <li>Actors: talk to the queue-pair actors ({@link #queuePairRefs()}), ideally co-located on their
 *       threads ({@link #spawnColocated}).</li>
 * </ul>
 *
 * <p><b>Which queue.</b> {@code read}, {@code write}, {@code flush}, {@code writeZeroes} and
 * {@code deallocate} here go to the queue pair of the CPU the caller runs on ({@link #callerQueue()},
 * as the Linux block layer maps CPUs to hardware queues); to choose one, send to
 * {@link #queue(int) queue(index)}, which has the same methods. In all of them the first {@code int} is
 * the namespace id: a queue is never an {@code int} argument of a request. What each answer means and
 * which path a buffer takes is described in {@link NvmeqQueue}.
 *
 * <p><b>Threads.</b> Stages are completed on the queue pair's own thread (its reply router lives
 * there, so a reply costs no thread hand-off): dependent stages attached with the non-async methods
 * run on it too, and must be short and never block; use the {@code ...Async} variants for anything else.
 *
 * <p><b>Close.</b> A request sent before {@link #close()} is answered by its completion (close lets
 * the queue pairs finish what they hold); one sent after it is refused, never sent. No request is both.
 *
 * <p><b>A remote namespace.</b> {@code Nvmeq.open("remote://...")} joins the cluster of HOST:PORT and
 * opens a session with the namespace's server ({@link RemoteNvmeq}, see there and the README). Then:
 * <ul>
 *   <li>work as locally: {@link #controller()}, {@link #namespaces()} (the one served namespace),
 *       {@link #namespace(int)}, the requests here with a {@link ByteBuffer} (direct or heap, sent as bytes)
 *       and {@code flush}, {@code writeZeroes}, {@code deallocate}, {@link #queue(int) queue(0)}: there is one
 *       queue ({@link #queuePairs()} is 1), the session, bound to one queue pair of the server, so requests
 *       keep their order; and {@link #close()};</li>
 *   <li>stages may also fail with {@link RemoteOutcomeUnknownException} (sent, no answer within
 *       {@code nvmeq.remote.request-timeout}: it may have run) and {@link RemoteUnavailableException}
 *       (not sent: no reachable server now, or the facade closed); they complete on the client's one cluster
 *       thread, which a blocking dependent stage holds up as it would a queue pair's;</li>
 *   <li>refused with {@link LocalOnlyException} (thrown, or for a request the stage's failure; nothing
 *       done), since they need the controller in this JVM: {@link #allocate} and the requests with a
 *       {@link DmaBuffer} (a DmaBuffer is memory mapped for one local controller's IOVA space; pass a
 *       ByteBuffer), {@link #register}, {@link #unregister}, {@link #iovaStats()}, {@link #threadQueue()},
 *       {@link #queuePairRefs()}, {@link #dispatcherFor}, {@link #spawnColocated}, {@link #counters},
 *       {@link #cpus()}, {@link #health()} and {@link #system()}. {@link #threadQueueCapacity()} is 0, and
 *       {@link #remote()} gives the client itself (its session, reconnections, late replies).</li>
 * </ul>
 *
 * <pre>{@code
 * try (Nvmeq nvmeq = Nvmeq.open("emu:memory?size=64m"))
 * {
 *     DmaBuffer buffer = nvmeq.allocate(4096);
 *     try (NvmeqThreadQueue queue = nvmeq.threadQueue())                     // this thread's own queue pair
 *     {
 *         queue.write(1, 0, 8, buffer, 0, false);                            // namespace 1, LBA 0, 8 blocks: blocks
 *     }
 *     nvmeq.read(1, 0, 8, buffer, 0).thenRun(() -> System.out.println("read"));  // the actor of this CPU
 *     nvmeq.queue(0).flush(1).toCompletableFuture().join();                  // on queue pair 0
 * }
 * }</pre>
 */
public final class Nvmeq implements AutoCloseable
{
    private static final String USE_BYTE_BUFFERS = "use a ByteBuffer (ByteBuffer.allocateDirect) with read and write";
    private static final String ACTORS_USE_REQUESTS = "an actor can send the requests here or on queue(0) and pipe " +
        "their stages to itself";

    private final NvmeqBackend backend;

    private Nvmeq(final NvmeqBackend backend)
    {
        this.backend = backend;
    }

    /** Opens {@code deviceUri} with the other settings from configuration. */
    public static Nvmeq open(final String deviceUri)
    {
        return open(NvmeqSettings.load().withDevice(deviceUri));
    }

    /** Opens the device of {@code settings}, using the Akka configuration of {@code ConfigFactory.load()}. */
    public static Nvmeq open(final NvmeqSettings settings)
    {
        return open(settings, ConfigFactory.load());
    }

    /**
     * Starts an actor system named "nvmeq" with {@code config}, brings the controller up and waits
     * for it, at most the settings' start timeout. For a {@code remote://} device: starts a cluster node
     * with the {@code nvmeq.remote} settings of {@code config} and waits, at most
     * {@code nvmeq.remote.connect-timeout}, for a session with the namespace's server.
     *
     * @throws NvmeException the bring-up failure (typed as the engine reported it), or
     *                       {@link ControllerUnavailableException} if it did not finish in time;
     *                       {@link RemoteUnavailableException} if no server of a remote namespace was
     *                       reached in time (nothing is left running)
     */
    public static Nvmeq open(final NvmeqSettings settings, final Config config)
    {
        return open(settings, config, CpuRouting.SCHED_GETCPU);
    }

    /** As {@link #open(NvmeqSettings, Config)}, routing by the CPU {@code cpuSource} reports (tests inject one). */
    static Nvmeq open(final NvmeqSettings settings, final Config config, final IntSupplier cpuSource)
    {
        return new Nvmeq(RemoteUri.isRemote(settings.device())
            ? RemoteBackend.open(settings, config)
            : LocalNvmeq.open(settings, config, cpuSource));
    }

    /** What Identify Controller reported at bring-up (of the server's controller, for a remote namespace). */
    public ControllerInfo controller()
    {
        return backend.controller();
    }

    /**
     * The active namespaces, as identified at bring-up (for a remote namespace, that one); their
     * {@code nsid} is the first argument of every request.
     */
    public List<NamespaceInfo> namespaces()
    {
        return backend.namespaces();
    }

    /** @throws InvalidRequestException if {@code nsid} is not an active (or the served) namespace */
    public NamespaceInfo namespace(final int nsid)
    {
        return backend.namespace(nsid);
    }

    /** Queue pairs running; valid queue indexes are 0 .. queuePairs() - 1. A remote namespace has 1: its session. */
    public int queuePairs()
    {
        return backend.queuePairs();
    }

    /** The remote client under this facade, for what only a remote namespace has; empty for a local controller. */
    public Optional<RemoteNvmeq> remote()
    {
        return backend.remote();
    }

    /**
     * The CPU each queue pair's thread is pinned to, by queue index.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public List<Integer> cpus()
    {
        return backend.local("cpus()", "the server's queue pairs are pinned on the server").cpus();
    }

    /**
     * A DMA buffer of at least {@code bytes}, mapped for this controller only: requests on another
     * facade or controller refuse it, and so does every queue pair once it is closed (see
     * {@link DmaBuffer}). Close it when done; closing while requests use it is safe (it is freed after
     * the last completes).
     *
     * @throws InvalidRequestException       for a size that is not positive
     * @throws ControllerUnavailableException after {@link #close()}
     * @throws LocalOnlyException            on a remote namespace (it has no IOVA space to map memory in)
     */
    public DmaBuffer allocate(final int bytes)
    {
        return backend.local("allocate", USE_BYTE_BUFFERS).allocate(bytes);
    }

    /**
     * The actor system, e.g. to place application actors on a queue pair's dispatcher.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public ActorSystem<?> system()
    {
        return backend.local("system()", ACTORS_USE_REQUESTS).system();
    }

    /**
     * The controller's status and its queue pairs' state, as the supervisor sees them now.
     *
     * @throws ControllerUnavailableException if the supervisor does not answer within the start timeout
     * @throws LocalOnlyException             on a remote namespace
     */
    public ControllerCommand.Health health()
    {
        return backend.local("health()", "remote().connected() tells whether a server answers").health();
    }

    /**
     * Registers a direct buffer's memory (position to limit) for zero-copy I/O, through the IOVA-mapping
     * actor; close nothing yourself: {@link #unregister} it before freeing the memory.
     * Requests with a ByteBuffer inside the registered memory are then zero-copy (see {@link NvmeqQueue}).
     *
     * @throws NvmeException InvalidRequestException (null, not direct, empty, overlapping), IovaExhaustedException,
     *                       ControllerUnavailableException (closed, or the IOVA mapper did not answer), or
     *                       LocalOnlyException (a remote namespace)
     */
    public RegisteredBuffer register(final ByteBuffer buffer)
    {
        return backend.local("register(ByteBuffer)", "pass the ByteBuffer to read and write as it is").register(buffer);
    }

    /**
     * Unmaps a registration made by {@link #register}. It never waits: requests still using the memory
     * hold the registration (as they hold a DmaBuffer), so it is only marked closing and the last of
     * their answers unmaps it; a request sent on that memory meanwhile is refused with
     * InvalidRequestException (nothing sent). Once it is unmapped, requests on that memory take the
     * temporary-mapping path. Free the memory only after the last request using it was answered.
     *
     * @throws InvalidRequestException for null
     * @throws LocalOnlyException      on a remote namespace
     */
    public void unregister(final RegisteredBuffer registration)
    {
        backend.local("unregister(RegisteredBuffer)", "a remote namespace registers nothing").unregister(registration);
    }

    /**
     * Temporary-mapping statistics of the controller's IOVA space.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public IovaCommand.IovaStats iovaStats()
    {
        return backend.local("iovaStats()", "a remote namespace maps nothing in this JVM").iovaStats();
    }

    /**
     * The counters of queue pair {@code queue} (also published over JMX, see {@link QueuePairMXBean}).
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public QueuePairCounters counters(final int queue)
    {
        return backend.local("counters", "remote().outstanding() and remote().lateReplies() " +
            "count the client's requests").counters(queue);
    }

    /**
     * The dispatcher of queue pair {@code queue}'s thread (pinned to its CPU). An actor spawned on it
     * runs on that very thread, between the queue pair's mailbox runs and completion polls: its
     * requests and their replies never cross cores.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public DispatcherSelector dispatcherFor(final int queue)
    {
        return backend.local("dispatcherFor", "the queue pair's thread is on the server").dispatcherFor(queue);
    }

    /**
     * Spawns an application actor on queue pair {@code queue}'s thread (see {@link #dispatcherFor(int)}),
     * as a child of the facade's actor system. It must not block: it shares the thread with the queue pair.
     * The requests it tells that queue pair are handed over by a call while the queue pair's mailbox is
     * empty (see {@link ArrayQueueMailbox}). Let it answer its messages with
     * {@code Behaviors.same()}, not {@code this}: Akka puts a stop supervisor around an actor spawned at
     * system level, and makes its interceptor anew (about 100 bytes) for every message answered with another
     * behaviour object than {@code same()}.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public <T> ActorRef<T> spawnColocated(final int queue, final Behavior<T> behavior, final String name)
    {
        return backend.local("spawnColocated", "the queue pair's thread is on the server; " + ACTORS_USE_REQUESTS)
            .spawnColocated(queue, behavior, name);
    }

    /**
     * The queue-pair actors, by queue index, for actors that talk to them directly.
     *
     * @throws LocalOnlyException on a remote namespace
     */
    public List<ActorRef<QueuePairCommand>> queuePairRefs()
    {
        return backend.local("queuePairRefs()", ACTORS_USE_REQUESTS).queuePairRefs();
    }

    /**
     * Queue pair {@code index} (0 .. {@link #queuePairs()} - 1), to send requests to that queue pair
     * rather than the calling thread's default one. The same object every time: keep it.
     *
     * @throws InvalidRequestException (thrown) for an index out of range
     */
    public NvmeqQueue queue(final int index)
    {
        return backend.queue(index);
    }

    /**
     * The queue the calling thread's requests here go to: the queue pair pinned to the CPU it runs on
     * now ({@code sched_getcpu}; of several, one by thread id); a CPU without a queue pair of its own is
     * served by queue pair {@code cpu % queuePairs()}, and where the CPU cannot be told, by thread id.
     * Requests keep their order only within one queue: a thread that may migrate and needs order uses
     * {@link #queue(int)} or a {@link #threadQueue()}. Always 0 on a remote namespace.
     */
    public int callerQueue()
    {
        return backend.callerQueue();
    }

    /**
     * Opens an NVMe I/O queue pair for the calling thread alone: the fast path for a plain thread that
     * waits for its I/O (see {@link NvmeqThreadQueue}). Creating it takes admin commands (microseconds
     * to milliseconds): open one per thread and keep it; close it when the thread is done ({@link #close()}
     * closes those still open; a thread that ended without closing its queue has it closed by the next open).
     *
     * @throws InvalidRequestException       if every queue pair the controller lends to threads is in use
     *                                       ({@link #threadQueueCapacity()})
     * @throws ControllerUnavailableException after {@link #close()}, or if the controller did not answer in time
     * @throws NvmeException                 the controller's refusal to create the queues
     * @throws LocalOnlyException            on a remote namespace
     */
    public NvmeqThreadQueue threadQueue()
    {
        return backend.local("threadQueue()", "send the requests here or on queue(0); they go over the session " +
            "in order").threadQueue();
    }

    /**
     * How many thread queues may be open at once: the queue pairs the controller granted beyond the actors'
     * (0 on a remote namespace, which has none).
     */
    public int threadQueueCapacity()
    {
        return backend.threadQueueCapacity();
    }

    /**
     * {@link NvmeqQueue#read(int, long, int, DmaBuffer, int)} on the calling thread's queue: reads
     * {@code blocks} blocks of namespace {@code nsid} from {@code lba} into {@code buffer} at byte
     * {@code offset}, zero-copy. Never throws: every error completes the stage (see {@link NvmeqQueue});
     * {@link LocalOnlyException} on a remote namespace.
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return backend.callersQueue().read(nsid, lba, blocks, buffer, offset);
    }

    /**
     * {@link NvmeqQueue#write(int, long, int, DmaBuffer, int, boolean)} on the calling thread's queue:
     * writes {@code blocks} blocks of namespace {@code nsid} at {@code lba} from {@code buffer} at byte
     * {@code offset}, zero-copy; {@code fua}: on non-volatile media when the stage completes.
     * {@link LocalOnlyException} on a remote namespace.
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return backend.callersQueue().write(nsid, lba, blocks, buffer, offset, fua);
    }

    /**
     * {@link NvmeqQueue#read(int, long, int, ByteBuffer)} on the calling thread's queue: reads into any
     * ByteBuffer from its position, zero-copy, through a temporary mapping or bounced, as its memory allows
     * (on a remote namespace: the bytes from the wire copied into it).
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        return backend.callersQueue().read(nsid, lba, blocks, buffer);
    }

    /**
     * {@link NvmeqQueue#write(int, long, int, ByteBuffer, boolean)} on the calling thread's queue: writes
     * from any ByteBuffer from its position, zero-copy, through a temporary mapping or bounced (on a remote
     * namespace: copied onto the wire).
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        return backend.callersQueue().write(nsid, lba, blocks, buffer, fua);
    }

    /** {@link NvmeqQueue#flush(int)} on the calling thread's queue: commits namespace {@code nsid}'s write cache. */
    public CompletionStage<Void> flush(final int nsid)
    {
        return backend.callersQueue().flush(nsid);
    }

    /** {@link NvmeqQueue#writeZeroes} on the calling thread's queue: {@code blocks} (1..65536) blocks of {@code nsid} from {@code lba}. */
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        return backend.callersQueue().writeZeroes(nsid, lba, blocks, deallocate, fua);
    }

    /** {@link NvmeqQueue#deallocate} on the calling thread's queue: trims {@code blocks} blocks of {@code nsid} from {@code lba}. */
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        return backend.callersQueue().deallocate(nsid, lba, blocks);
    }

    /**
     * Shuts the request gate (a request sent from now on is refused, and was not sent), closes the
     * thread queues (a call in progress is answered, or ends with "outcome unknown" after the shutdown
     * timeout; see {@link NvmeqThreadQueue#close()}), then drains and deletes the queue pairs (each answers what it holds by its completion), closes the controller and
     * terminates the actor system, each step bounded by the shutdown timeout. A request whose answer
     * did not arrive in that time fails with {@link ControllerUnavailableException} saying that its
     * outcome is unknown. Idempotent.
     *
     * <p>On a remote namespace: shuts the gate (a request from now on is refused with
     * {@link RemoteUnavailableException}), waits, at most the shutdown timeout, for the answers of the
     * requests already sent (each is answered by its deadline at the latest), answers what is left with
     * {@link RemoteOutcomeUnknownException}, leaves the cluster and terminates the cluster actor system.
     *
     * @throws ShutdownFailedException if the controller did not complete its shutdown (e.g. its write
     *                                 cache could not be flushed): data written since the last successful
     *                                 flush may not be durable. Everything is closed and released all the same.
     */
    @Override
    public void close()
    {
        backend.close();
    }

    /** Requests sent and not answered yet (for tests and diagnostics). */
    int pendingCount()
    {
        return backend.pendingCount();
    }
}
