package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.MailboxSelector;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.function.Function;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.RegisteredBuffer;
import io.nvmeq.engine.ShutdownFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nvmeq for code that is not an actor: opens a controller behind its own actor system. Thread-safe.
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
    private static final Logger LOG = LoggerFactory.getLogger(Nvmeq.class);

    private final ActorSystem<FacadeGuardian.Command> system;
    private final NvmeqSettings settings;
    private final ActorRef<ControllerCommand> supervisor;
    private final BringUp.Ready ready;
    /** One per queue pair, by queue index. */
    private final List<NvmeqQueue> views;
    private final PendingReplies pending;
    private final CpuRouting routing;
    private final ThreadQueues threadQueues;

    private Nvmeq(
        final ActorSystem<FacadeGuardian.Command> system,
        final NvmeqSettings settings,
        final FacadeGuardian.Started started,
        final BringUp.Ready ready,
        final PendingReplies pending,
        final IntSupplier cpuSource)
    {
        this.system = system;
        this.settings = settings;
        this.supervisor = started.supervisor();
        this.ready = ready;
        this.pending = pending;
        final List<NvmeqQueue> queues = new ArrayList<>(ready.queuePairs().size());
        for (int i = 0; i < ready.queuePairs().size(); i++)
        {
            queues.add(new NvmeqQueue(i, ready.queuePairs().get(i), started.routers().get(i), pending));
        }
        this.views = List.copyOf(queues);
        this.routing = new CpuRouting(ready.cpus(), cpuSource);
        this.threadQueues = new ThreadQueues(this::openQueuePair, views.size(), ready.controller().grantedIoQueuePairs(),
            ready.controller().maxQueueEntries(), settings.shutdownTimeout());
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
     * for it, at most the settings' start timeout.
     *
     * @throws NvmeException the bring-up failure (typed as the engine reported it), or
     *                       {@link ControllerUnavailableException} if it did not finish in time
     */
    public static Nvmeq open(final NvmeqSettings settings, final Config config)
    {
        return open(settings, config, CpuRouting.SCHED_GETCPU);
    }

    /** As {@link #open(NvmeqSettings, Config)}, routing by the CPU {@code cpuSource} reports (tests inject one). */
    static Nvmeq open(final NvmeqSettings settings, final Config config, final IntSupplier cpuSource)
    {
        final PendingReplies pending = new PendingReplies();
        final ActorSystem<FacadeGuardian.Command> system =
            OwnActorSystem.create(FacadeGuardian.create(settings, pending), "nvmeq", config);
        final FacadeGuardian.Started started;
        try
        {
            started = ask(system, system, FacadeGuardian.AwaitStarted::new, settings.startTimeout(),
                "the bring-up of " + settings.device());
        }
        catch (final ControllerUnavailableException ex)
        {
            terminate(system, settings.shutdownTimeout());
            throw ex;
        }
        if (started.outcome() instanceof BringUp.Failed failed)
        {
            terminate(system, settings.shutdownTimeout());
            throw failed.error();
        }
        return new Nvmeq(system, settings, started, (BringUp.Ready)started.outcome(), pending, cpuSource);
    }

    /** What Identify Controller reported at bring-up. */
    public ControllerInfo controller()
    {
        return ready.controller();
    }

    /** The active namespaces, as identified at bring-up; their {@code nsid} is the first argument of every request. */
    public List<NamespaceInfo> namespaces()
    {
        return ready.namespaces();
    }

    /** @throws InvalidRequestException if {@code nsid} is not an active namespace */
    public NamespaceInfo namespace(final int nsid)
    {
        for (final NamespaceInfo namespace : ready.namespaces())
        {
            if (namespace.nsid() == nsid)
            {
                return namespace;
            }
        }
        throw new InvalidRequestException("no active namespace " + nsid + " (active: " + ready.namespaces().size() + ")");
    }

    /** Queue pairs running; valid queue indexes are 0 .. queuePairs() - 1. */
    public int queuePairs()
    {
        return views.size();
    }

    /** The CPU each queue pair's thread is pinned to, by queue index. */
    public List<Integer> cpus()
    {
        return ready.cpus();
    }

    /**
     * A DMA buffer of at least {@code bytes}, mapped for this controller only: requests on another
     * facade or controller refuse it, and so does every queue pair once it is closed (see
     * {@link DmaBuffer}). Close it when done; closing while requests use it is safe (it is freed after
     * the last completes).
     *
     * @throws InvalidRequestException       for a size that is not positive
     * @throws ControllerUnavailableException after {@link #close()}
     */
    public DmaBuffer allocate(final int bytes)
    {
        checkOpen();
        return ready.allocator().allocate(bytes);
    }

    /** The actor system, e.g. to place application actors on a queue pair's dispatcher. */
    public ActorSystem<?> system()
    {
        return system;
    }

    /**
     * The controller's status and its queue pairs' state, as the supervisor sees them now.
     *
     * @throws ControllerUnavailableException if the supervisor does not answer within the start timeout
     */
    public ControllerCommand.Health health()
    {
        checkOpen();
        return ask(system, supervisor, ControllerCommand.GetHealth::new, settings.startTimeout(),
            "the supervisor of " + settings.device());
    }

    /**
     * Registers a direct buffer's memory (position to limit) for zero-copy I/O, through the IOVA-mapping
     * actor; close nothing yourself: {@link #unregister} it before freeing the memory.
     * Requests with a ByteBuffer inside the registered memory are then zero-copy (see {@link NvmeqQueue}).
     *
     * @throws NvmeException InvalidRequestException (null, not direct, empty, overlapping), IovaExhaustedException,
     *                       or ControllerUnavailableException (closed, or the IOVA mapper did not answer)
     */
    public RegisteredBuffer register(final ByteBuffer buffer)
    {
        if (buffer == null)
        {
            throw new InvalidRequestException("no buffer given (null) to register");
        }
        checkOpen();
        final IovaCommand.Registration outcome = askMapper(replyTo -> new IovaCommand.RegisterBuffer(buffer, replyTo));
        if (outcome instanceof IovaCommand.RegistrationFailed failed)
        {
            throw failed.error();
        }
        return ((IovaCommand.Registered)outcome).registration();
    }

    /**
     * Unmaps a registration made by {@link #register}. It never waits: requests still using the memory
     * hold the registration (as they hold a DmaBuffer), so it is only marked closing and the last of
     * their answers unmaps it; a request sent on that memory meanwhile is refused with
     * InvalidRequestException (nothing sent). Once it is unmapped, requests on that memory take the
     * temporary-mapping path. Free the memory only after the last request using it was answered.
     *
     * @throws InvalidRequestException for null
     */
    public void unregister(final RegisteredBuffer registration)
    {
        if (registration == null)
        {
            throw new InvalidRequestException("no registration given (null) to unregister");
        }
        checkOpen();
        this.<IovaCommand.Unregistered>askMapper(replyTo -> new IovaCommand.UnregisterBuffer(registration, replyTo));
    }

    /** Temporary-mapping statistics of the controller's IOVA space. */
    public IovaCommand.IovaStats iovaStats()
    {
        checkOpen();
        return askMapper(IovaCommand.GetIovaStats::new);
    }

    private <R> R askMapper(final Function<ActorRef<R>, IovaCommand> message)
    {
        return ask(system, ready.iovaMapper(), message, settings.startTimeout(), "the IOVA mapper of " + settings.device());
    }

    /** The counters of queue pair {@code queue} (also published over JMX, see {@link QueuePairMXBean}). */
    public QueuePairCounters counters(final int queue)
    {
        return ready.counters().get(queue(queue).index());
    }

    /**
     * The dispatcher of queue pair {@code queue}'s thread (pinned to its CPU). An actor spawned on it
     * runs on that very thread, between the queue pair's mailbox runs and completion polls: its
     * requests and their replies never cross cores.
     */
    public DispatcherSelector dispatcherFor(final int queue)
    {
        return ready.dispatchers().get(queue(queue).index());
    }

    /**
     * Spawns an application actor on queue pair {@code queue}'s thread (see {@link #dispatcherFor(int)}),
     * as a child of the facade's actor system. It must not block: it shares the thread with the queue pair.
     * The requests it tells that queue pair are handed over by a call while the queue pair's mailbox is
     * empty (see {@link ArrayQueueMailbox}). Let it answer its messages with
     * {@code Behaviors.same()}, not {@code this}: Akka puts a stop supervisor around an actor spawned at
     * system level, and makes its interceptor anew (about 100 bytes) for every message answered with another
     * behaviour object than {@code same()}.
     */
    public <T> ActorRef<T> spawnColocated(final int queue, final Behavior<T> behavior, final String name)
    {
        return system.systemActorOf(behavior, name,
            dispatcherFor(queue).withNext(MailboxSelector.fromConfig(ArrayQueueMailbox.CONFIG_PATH)));
    }

    /** The queue-pair actors, by queue index, for actors that talk to them directly. */
    public List<ActorRef<QueuePairCommand>> queuePairRefs()
    {
        return ready.queuePairs();
    }

    /**
     * Queue pair {@code index} (0 .. {@link #queuePairs()} - 1), to send requests to that queue pair
     * rather than the calling thread's default one. The same object every time: keep it.
     *
     * @throws InvalidRequestException (thrown) for an index out of range
     */
    public NvmeqQueue queue(final int index)
    {
        if (index < 0 || index >= views.size())
        {
            throw new InvalidRequestException("queue index " + index + " is outside 0.." + (views.size() - 1));
        }
        return views.get(index);
    }

    /**
     * The queue the calling thread's requests here go to: the queue pair pinned to the CPU it runs on
     * now ({@code sched_getcpu}; of several, one by thread id); a CPU without a queue pair of its own is
     * served by queue pair {@code cpu % queuePairs()}, and where the CPU cannot be told, by thread id.
     * Requests keep their order only within one queue: a thread that may migrate and needs order uses
     * {@link #queue(int)} or a {@link #threadQueue()}.
     */
    public int callerQueue()
    {
        return routing.queueForCaller();
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
     */
    public NvmeqThreadQueue threadQueue()
    {
        checkOpen();
        return threadQueues.open(settings.device());
    }

    /** How many thread queues may be open at once: the queue pairs the controller granted beyond the actors'. */
    public int threadQueueCapacity()
    {
        return threadQueues.capacity();
    }

    private ControllerCommand.QueuePairOpened openQueuePair(final int qid, final int entries)
    {
        return ask(system, supervisor, replyTo -> new ControllerCommand.OpenQueuePair(qid, entries, replyTo),
            settings.startTimeout(), "creating thread queue " + qid + " on " + settings.device());
    }

    /**
     * {@link NvmeqQueue#read(int, long, int, DmaBuffer, int)} on the calling thread's queue: reads
     * {@code blocks} blocks of namespace {@code nsid} from {@code lba} into {@code buffer} at byte
     * {@code offset}, zero-copy. Never throws: every error completes the stage (see {@link NvmeqQueue}).
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return views.get(callerQueue()).read(nsid, lba, blocks, buffer, offset);
    }

    /**
     * {@link NvmeqQueue#write(int, long, int, DmaBuffer, int, boolean)} on the calling thread's queue:
     * writes {@code blocks} blocks of namespace {@code nsid} at {@code lba} from {@code buffer} at byte
     * {@code offset}, zero-copy; {@code fua}: on non-volatile media when the stage completes.
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return views.get(callerQueue()).write(nsid, lba, blocks, buffer, offset, fua);
    }

    /**
     * {@link NvmeqQueue#read(int, long, int, ByteBuffer)} on the calling thread's queue: reads into any
     * ByteBuffer from its position, zero-copy, through a temporary mapping or bounced, as its memory allows.
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        return views.get(callerQueue()).read(nsid, lba, blocks, buffer);
    }

    /**
     * {@link NvmeqQueue#write(int, long, int, ByteBuffer, boolean)} on the calling thread's queue: writes
     * from any ByteBuffer from its position, zero-copy, through a temporary mapping or bounced.
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        return views.get(callerQueue()).write(nsid, lba, blocks, buffer, fua);
    }

    /** {@link NvmeqQueue#flush(int)} on the calling thread's queue: commits namespace {@code nsid}'s write cache. */
    public CompletionStage<Void> flush(final int nsid)
    {
        return views.get(callerQueue()).flush(nsid);
    }

    /** {@link NvmeqQueue#writeZeroes} on the calling thread's queue: {@code blocks} (1..65536) blocks of {@code nsid} from {@code lba}. */
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        return views.get(callerQueue()).writeZeroes(nsid, lba, blocks, deallocate, fua);
    }

    /** {@link NvmeqQueue#deallocate} on the calling thread's queue: trims {@code blocks} blocks of {@code nsid} from {@code lba}. */
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        return views.get(callerQueue()).deallocate(nsid, lba, blocks);
    }

    /**
     * Shuts the request gate (a request sent from now on is refused, and was not sent), closes the
     * thread queues (a call in progress is answered, or ends with "outcome unknown" after the shutdown
     * timeout; see {@link NvmeqThreadQueue#close()}), then drains and deletes the queue pairs (each answers what it holds by its completion), closes the controller and
     * terminates the actor system, each step bounded by the shutdown timeout. A request whose answer
     * did not arrive in that time fails with {@link ControllerUnavailableException} saying that its
     * outcome is unknown. Idempotent.
     *
     * @throws ShutdownFailedException if the controller did not complete its shutdown (e.g. its write
     *                                 cache could not be flushed): data written since the last successful
     *                                 flush may not be durable. Everything is closed and released all the same.
     */
    @Override
    public void close()
    {
        if (!pending.close())
        {
            return;
        }
        final Duration timeout = settings.shutdownTimeout();
        // Before the supervisor's shutdown: the controller's close must not delete a queue a thread polls.
        threadQueues.closeAll();
        ShutdownFailedException shutdownFailure = null;
        try
        {
            final ControllerCommand.ShutdownComplete complete = ask(system, supervisor, ControllerCommand.Shutdown::new,
                timeout.multipliedBy(3), "the shutdown of " + settings.device());
            shutdownFailure = complete.shutdownFailure();
            if (!complete.clean() && shutdownFailure == null)
            {
                LOG.warn("nvmeq on {} shut down, but not cleanly (see the log above)", settings.device());
            }
        }
        catch (final ControllerUnavailableException ex)
        {
            LOG.error("{}; terminating anyway", ex.getMessage(), ex.getCause());
        }
        awaitRepliesDelivered(timeout);
        pending.failAll(tag -> new ControllerUnavailableException("nvmeq closed before request " + tag +
            " was answered: its outcome is unknown (it may have run)"));
        terminate(system, timeout);
        if (shutdownFailure != null)
        {
            throw shutdownFailure;
        }
    }

    /** Every request was answered by its queue pair before it stopped; let the routers finish delivering. */
    private void awaitRepliesDelivered(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline)
        {
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The one blocking ask of the facade: {@code message} to {@code target}, waiting at most {@code timeout}.
     *
     * @throws ControllerUnavailableException if no answer came in time, or the wait was interrupted
     */
    private static <M, R> R ask(final ActorSystem<?> system, final RecipientRef<M> target,
        final Function<ActorRef<R>, M> message, final Duration timeout, final String what)
    {
        try
        {
            return AskPattern.ask(target, message, timeout, system.scheduler())
                .toCompletableFuture()
                .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ControllerUnavailableException("interrupted while waiting for " + what, ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new ControllerUnavailableException(what + " did not answer within " + timeout, ex);
        }
    }

    /** Requests sent and not answered yet (for tests and diagnostics). */
    int pendingCount()
    {
        return pending.size();
    }

    /** A facade call that would start something new after close(): refused. */
    private void checkOpen()
    {
        if (pending.isClosed())
        {
            throw new ControllerUnavailableException("nvmeq on " + settings.device() + " is closed");
        }
    }

    private static void terminate(final ActorSystem<?> system, final Duration timeout)
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.error("actor system {} did not terminate within {}", system.name(), timeout, ex);
        }
    }
}
