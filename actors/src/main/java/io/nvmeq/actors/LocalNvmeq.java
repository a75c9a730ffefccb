package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.RegisteredBuffer;
import io.nvmeq.engine.ShutdownFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade over a controller attached to this JVM: its own actor system with the controller
 * supervisor, the queue-pair actors and the IOVA mapper. What each call means is documented on {@link Nvmeq}.
 */
final class LocalNvmeq implements NvmeqBackend
{
    /** Under the facade's name, which logging configurations know it by. */
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

    private LocalNvmeq(
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
            queues.add(new NvmeqQueue(i, new QueuePairRequests(ready.queuePairs().get(i), started.routers().get(i), pending)));
        }
        this.views = List.copyOf(queues);
        this.routing = new CpuRouting(ready.cpus(), cpuSource);
        this.threadQueues = new ThreadQueues(this::openQueuePair, views.size(), ready.controller().grantedIoQueuePairs(),
            ready.controller().maxQueueEntries(), settings.shutdownTimeout());
    }

    /**
     * Starts an actor system named "nvmeq" with {@code config}, brings the controller up and waits for
     * it, at most the settings' start timeout.
     */
    static LocalNvmeq open(final NvmeqSettings settings, final Config config, final IntSupplier cpuSource)
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
        return new LocalNvmeq(system, settings, started, (BringUp.Ready)started.outcome(), pending, cpuSource);
    }

    @Override
    public LocalNvmeq local(final String call, final String instead)
    {
        return this;
    }

    @Override
    public ControllerInfo controller()
    {
        return ready.controller();
    }

    @Override
    public List<NamespaceInfo> namespaces()
    {
        return ready.namespaces();
    }

    @Override
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

    @Override
    public int queuePairs()
    {
        return views.size();
    }

    @Override
    public NvmeqQueue queue(final int index)
    {
        if (index < 0 || index >= views.size())
        {
            throw new InvalidRequestException("queue index " + index + " is outside 0.." + (views.size() - 1));
        }
        return views.get(index);
    }

    @Override
    public int callerQueue()
    {
        return routing.queueForCaller();
    }

    @Override
    public NvmeqQueue callersQueue()
    {
        return views.get(routing.queueForCaller());
    }

    List<Integer> cpus()
    {
        return ready.cpus();
    }

    DmaBuffer allocate(final int bytes)
    {
        checkOpen();
        return ready.allocator().allocate(bytes);
    }

    ActorSystem<?> system()
    {
        return system;
    }

    ControllerCommand.Health health()
    {
        checkOpen();
        return ask(system, supervisor, ControllerCommand.GetHealth::new, settings.startTimeout(),
            "the supervisor of " + settings.device());
    }

    RegisteredBuffer register(final ByteBuffer buffer)
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

    void unregister(final RegisteredBuffer registration)
    {
        if (registration == null)
        {
            throw new InvalidRequestException("no registration given (null) to unregister");
        }
        checkOpen();
        this.<IovaCommand.Unregistered>askMapper(replyTo -> new IovaCommand.UnregisterBuffer(registration, replyTo));
    }

    IovaCommand.IovaStats iovaStats()
    {
        checkOpen();
        return askMapper(IovaCommand.GetIovaStats::new);
    }

    private <R> R askMapper(final Function<ActorRef<R>, IovaCommand> message)
    {
        return ask(system, ready.iovaMapper(), message, settings.startTimeout(), "the IOVA mapper of " + settings.device());
    }

    QueuePairCounters counters(final int queue)
    {
        return ready.counters().get(queue(queue).index());
    }

    DispatcherSelector dispatcherFor(final int queue)
    {
        return ready.dispatchers().get(queue(queue).index());
    }

    <T> ActorRef<T> spawnColocated(final int queue, final Behavior<T> behavior, final String name)
    {
        return system.systemActorOf(behavior, name,
            dispatcherFor(queue).withNext(MailboxSelector.fromConfig(ArrayQueueMailbox.CONFIG_PATH)));
    }

    List<ActorRef<QueuePairCommand>> queuePairRefs()
    {
        return ready.queuePairs();
    }

    NvmeqThreadQueue threadQueue()
    {
        checkOpen();
        return threadQueues.open(settings.device());
    }

    @Override
    public int threadQueueCapacity()
    {
        return threadQueues.capacity();
    }

    private ControllerCommand.QueuePairOpened openQueuePair(final int qid, final int entries)
    {
        return ask(system, supervisor, replyTo -> new ControllerCommand.OpenQueuePair(qid, entries, replyTo),
            settings.startTimeout(), "creating thread queue " + qid + " on " + settings.device());
    }

    /** The gate, the thread queues, then the supervisor's drain and shutdown, then the actor system: see {@link Nvmeq#close()}. */
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
        // Every request was answered by its queue pair before it stopped; let the routers finish delivering.
        CloseWaits.until(pending::isEmpty, timeout);
        pending.failAll(tag -> new ControllerUnavailableException("nvmeq closed before request " + tag +
            " was answered: its outcome is unknown (it may have run)"));
        terminate(system, timeout);
        if (shutdownFailure != null)
        {
            throw shutdownFailure;
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

    @Override
    public int pendingCount()
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
