package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.RegisteredBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nvmeq for code that is not an actor: opens a controller behind its own actor system and turns
 * requests into {@link CompletionStage}s. Requests from one thread go to one queue pair (thread id
 * modulo the queue count) unless a queue index is given. Failures complete the stage exceptionally
 * with the typed {@link NvmeException}. Thread-safe.
 *
 * <p>Stages are completed on the queue pair's own thread (its reply router lives there, so a reply
 * costs no thread hand-off): dependent stages attached with the non-async methods run on it too, and
 * must be short and never block; use the {@code ...Async} variants for anything else.
 *
 * <pre>{@code
 * try (Nvmeq nvmeq = Nvmeq.open("emu:memory?size=64m"))
 * {
 *     DmaBuffer buffer = nvmeq.allocate(4096);
 *     nvmeq.write(1, 0, 8, buffer, 0, false).toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class Nvmeq implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Nvmeq.class);

    private final ActorSystem<FacadeGuardian.Command> system;
    private final NvmeqSettings settings;
    private final ActorRef<ControllerCommand> supervisor;
    /** Reply routers by queue index, each on its queue pair's thread. */
    private final List<ActorRef<IoReply>> routers;
    private final BringUp.Ready ready;
    private final List<ActorRef<QueuePairCommand>> queues;
    private final Map<Long, CompletableFuture<Void>> pending;
    private final AtomicLong nextTag = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Nvmeq(
        final ActorSystem<FacadeGuardian.Command> system,
        final NvmeqSettings settings,
        final FacadeGuardian.Started started,
        final BringUp.Ready ready,
        final Map<Long, CompletableFuture<Void>> pending)
    {
        this.system = system;
        this.settings = settings;
        this.supervisor = started.supervisor();
        this.routers = started.routers();
        this.ready = ready;
        this.queues = ready.queuePairs();
        this.pending = pending;
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
        final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        final ActorSystem<FacadeGuardian.Command> system =
            OwnActorSystem.create(FacadeGuardian.create(settings, pending), "nvmeq", config);
        final FacadeGuardian.Started started;
        try
        {
            started = AskPattern.<FacadeGuardian.Command, FacadeGuardian.Started>ask(system,
                    FacadeGuardian.AwaitStarted::new, settings.startTimeout(), system.scheduler())
                .toCompletableFuture()
                .get(settings.startTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            terminate(system, settings.shutdownTimeout());
            throw new ControllerUnavailableException("interrupted while bringing up " + settings.device(), ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            terminate(system, settings.shutdownTimeout());
            throw new ControllerUnavailableException("bring-up of " + settings.device() + " did not finish within " +
                settings.startTimeout(), ex);
        }
        if (started.outcome() instanceof BringUp.Failed failed)
        {
            terminate(system, settings.shutdownTimeout());
            throw failed.error();
        }
        return new Nvmeq(system, settings, started, (BringUp.Ready)started.outcome(), pending);
    }

    public ControllerInfo controller()
    {
        return ready.controller();
    }

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
        return queues.size();
    }

    /** The CPU each queue pair's thread is pinned to, by queue index. */
    public List<Integer> cpus()
    {
        return ready.cpus();
    }

    /** A DMA buffer of at least {@code bytes}; close it (or this facade) to release it. */
    public DmaBuffer allocate(final int bytes)
    {
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
        try
        {
            return AskPattern.<ControllerCommand, ControllerCommand.Health>ask(supervisor, ControllerCommand.GetHealth::new,
                    settings.startTimeout(), system.scheduler())
                .toCompletableFuture()
                .get(settings.startTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ControllerUnavailableException("interrupted while asking for the health of " + settings.device(), ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new ControllerUnavailableException("no health report from the supervisor of " + settings.device(), ex);
        }
    }

    /**
     * Registers a direct buffer's memory (position to limit) for zero-copy I/O, through the IOVA-mapping
     * actor; close nothing yourself: {@link #unregister} it after its last I/O, before freeing the memory.
     *
     * @throws NvmeException InvalidRequestException (not direct, empty, overlapping) or IovaExhaustedException
     */
    public RegisteredBuffer register(final ByteBuffer buffer)
    {
        final IovaCommand.Registration outcome = askMapper(replyTo -> new IovaCommand.RegisterBuffer(buffer, replyTo));
        if (outcome instanceof IovaCommand.RegistrationFailed failed)
        {
            throw failed.error();
        }
        return ((IovaCommand.Registered)outcome).registration();
    }

    /** Unmaps a registration made by {@link #register}. */
    public void unregister(final RegisteredBuffer registration)
    {
        this.<IovaCommand.Unregistered>askMapper(replyTo -> new IovaCommand.UnregisterBuffer(registration, replyTo));
    }

    /** Temporary-mapping statistics of the controller's IOVA space. */
    public IovaCommand.IovaStats iovaStats()
    {
        return askMapper(IovaCommand.GetIovaStats::new);
    }

    private <R> R askMapper(final akka.japi.function.Function<ActorRef<R>, IovaCommand> message)
    {
        try
        {
            return AskPattern.ask(ready.iovaMapper(), message, settings.startTimeout(), system.scheduler())
                .toCompletableFuture()
                .get(settings.startTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ControllerUnavailableException("interrupted while waiting for the IOVA mapper of " + settings.device(), ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new ControllerUnavailableException("no answer from the IOVA mapper of " + settings.device(), ex);
        }
    }

    /** The counters of queue pair {@code queue} (also published over JMX, see {@link QueuePairMXBean}). */
    public QueuePairCounters counters(final int queue)
    {
        queue(queue);
        return ready.counters().get(queue);
    }

    /**
     * The dispatcher of queue pair {@code queue}'s thread (pinned to its CPU). An actor spawned on it
     * runs on that very thread, between the queue pair's mailbox runs and completion polls: its
     * requests and their replies never cross cores.
     */
    public DispatcherSelector dispatcherFor(final int queue)
    {
        queue(queue);
        return ready.dispatchers().get(queue);
    }

    /**
     * Spawns an application actor on queue pair {@code queue}'s thread (see {@link #dispatcherFor(int)}),
     * as a child of the facade's actor system. It must not block: it shares the thread with the queue pair.
     */
    public <T> ActorRef<T> spawnColocated(final int queue, final Behavior<T> behavior, final String name)
    {
        return system.systemActorOf(behavior, name, dispatcherFor(queue));
    }

    /** The queue-pair actors, by queue index, for actors that talk to them directly. */
    public List<ActorRef<QueuePairCommand>> queuePairRefs()
    {
        return ready.queuePairs();
    }

    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return read(callerQueue(), nsid, lba, blocks, buffer, offset);
    }

    public CompletionStage<Void> read(final int queue, final int nsid, final long lba, final int blocks,
        final DmaBuffer buffer, final int offset)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.Read(nsid, lba, blocks, buffer, offset, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return write(callerQueue(), nsid, lba, blocks, buffer, offset, fua);
    }

    public CompletionStage<Void> write(final int queue, final int nsid, final long lba, final int blocks,
        final DmaBuffer buffer, final int offset, final boolean fua)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.Write(nsid, lba, blocks, buffer, offset, fua, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    public CompletionStage<Void> flush(final int nsid)
    {
        return flush(callerQueue(), nsid);
    }

    public CompletionStage<Void> flush(final int queue, final int nsid)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.Flush(nsid, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    /** Reads into any ByteBuffer from its position (see {@link IoRequest.ReadBuffer} for the buffer paths). */
    public CompletionStage<Void> read(final int queue, final int nsid, final long lba, final int blocks,
        final ByteBuffer buffer)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.ReadBuffer(nsid, lba, blocks, buffer, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    /** Writes from any ByteBuffer from its position (see {@link IoRequest.WriteBuffer}). */
    public CompletionStage<Void> write(final int queue, final int nsid, final long lba, final int blocks,
        final ByteBuffer buffer, final boolean fua)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.WriteBuffer(nsid, lba, blocks, buffer, fua, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    /** Write Zeroes of {@code blocks} blocks from {@code lba} (see {@link IoRequest.WriteZeroes}). */
    public CompletionStage<Void> writeZeroes(final int queue, final int nsid, final long lba, final int blocks,
        final boolean deallocate, final boolean fua)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.WriteZeroes(nsid, lba, blocks, deallocate, fua, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    /** Deallocates (trims) {@code blocks} blocks from {@code lba} (see {@link IoRequest.Deallocate}). */
    public CompletionStage<Void> deallocate(final int queue, final int nsid, final long lba, final long blocks)
    {
        final ActorRef<QueuePairCommand> target = queue(queue);
        final long tag = nextTag.incrementAndGet();
        final CompletableFuture<Void> future = register(tag);
        target.tell(new IoRequest.Deallocate(nsid, lba, blocks, tag, routers.get(queue)));
        return checkClosed(tag, future);
    }

    /** The queue the calling thread uses by default: stable per thread. */
    public int callerQueue()
    {
        return (int)Long.remainderUnsigned(Thread.currentThread().getId(), queues.size());
    }

    /** @throws InvalidRequestException (thrown, not in the stage) for a queue index out of range */
    private ActorRef<QueuePairCommand> queue(final int queue)
    {
        if (queue < 0 || queue >= queues.size())
        {
            throw new InvalidRequestException("queue index " + queue + " is outside 0.." + (queues.size() - 1));
        }
        return queues.get(queue);
    }

    private CompletableFuture<Void> register(final long tag)
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        pending.put(tag, future);
        return future;
    }

    /** A request registered while close() ran may have missed its sweep: fail it here (whoever removes it answers). */
    private CompletableFuture<Void> checkClosed(final long tag, final CompletableFuture<Void> future)
    {
        if (closed.get() && pending.remove(tag, future))
        {
            future.completeExceptionally(new ControllerUnavailableException("nvmeq is closed"));
        }
        return future;
    }

    /**
     * Drains and deletes the queue pairs, closes the controller and terminates the actor system, each
     * step bounded by the shutdown timeout. Requests still unanswered afterwards fail with
     * {@link ControllerUnavailableException}. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        final Duration timeout = settings.shutdownTimeout();
        try
        {
            final ControllerCommand.ShutdownComplete complete = AskPattern.<ControllerCommand,
                    ControllerCommand.ShutdownComplete>ask(supervisor, ControllerCommand.Shutdown::new,
                    timeout.multipliedBy(3), system.scheduler())
                .toCompletableFuture()
                .get(timeout.multipliedBy(3).toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (!complete.clean())
            {
                LOG.warn("nvmeq on {} shut down, but not cleanly (see the log above)", settings.device());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while shutting down {}", settings.device());
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.error("shutdown of {} did not complete within {}; terminating anyway", settings.device(), timeout, ex);
        }
        awaitRepliesDelivered(timeout);
        for (final Long tag : pending.keySet())
        {
            final CompletableFuture<Void> future = pending.remove(tag);
            if (future != null)
            {
                future.completeExceptionally(new ControllerUnavailableException(
                    "nvmeq closed before request " + tag + " was answered"));
            }
        }
        terminate(system, timeout);
    }

    /** Every request was answered by its queue pair before it stopped; let the router finish delivering. */
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
