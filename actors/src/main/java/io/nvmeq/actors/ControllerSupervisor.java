package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.MailboxSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.dispatch.CpuDispatchers;
import io.nvmeq.engine.CompletionVectors;
import io.nvmeq.engine.ControllerHealth;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.IoCounters;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.engine.ShutdownFailedException;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.NvmeDevice;

/**
 * Brings one controller up and owns it: opens the device, resets and identifies the controller,
 * negotiates the I/O queue count, creates the queue pairs and runs each in a {@link QueuePairActor}
 * on the busy-poll dispatcher of its CPU. Answers queries about the controller and shuts it all
 * down in order: queue pairs drained and deleted first, the controller closed last.
 *
 * <p>Bring-up runs in setup; if it fails, the error is logged, the listener gets {@link BringUp.Failed},
 * whatever was opened is closed, and the supervisor stops (its pending asks then fail by their own timeouts).
 *
 * <p>A queue-pair actor that fails restarts itself around its surviving request table (see
 * {@link QueuePairActor}); one that gives up (too many failures in a row) is logged and dropped from
 * the list. If the controller does not confirm deleting a failed queue, it can no longer be trusted
 * to let go of that queue's buffers: the supervisor shuts everything down and answers those requests
 * only once the controller is closed.
 */
public final class ControllerSupervisor
{
    /** Messages the supervisor sends itself. */
    sealed interface Internal extends ControllerCommand
        permits QueuePairTerminated, ShutdownTimedOut, ShutdownAbandoned, FromQueuePair, HealthCheck, ReviveQueuePair
    {
    }

    /** Timer, a cool-down after a queue pair gave up: it comes back with new queues. */
    record ReviveQueuePair(int queueId) implements Internal
    {
    }

    /** Timer: read CSTS and reset the controller on a fatal status. */
    record HealthCheck() implements Internal
    {
    }

    /** An event of a queue-pair child, adapted into the supervisor's protocol. */
    record FromQueuePair(QueuePairEvent event) implements Internal
    {
    }

    record QueuePairTerminated(int index) implements Internal
    {
    }

    record ShutdownTimedOut() implements Internal
    {
    }

    record ShutdownAbandoned() implements Internal
    {
    }

    private static final Object SHUTDOWN_TIMER = "shutdown";
    private static final Object HEALTH_TIMER = "health";

    private final ActorContext<ControllerCommand> context;
    private final TimerScheduler<ControllerCommand> timers;
    private final NvmeqSettings settings;
    private final NvmeController controller;
    private final BringUp.Ready ready;
    /** Live queue-pair actors by index; null once stopped. */
    private final List<ActorRef<QueuePairCommand>> live;
    private final List<ActorRef<ControllerCommand.ShutdownComplete>> shutdownRequesters = new ArrayList<>();
    private final DeviceHeldRequests heldByDevice;
    /** Queue-pair actors (by index) that gave up: alive but not serving, left out of {@link ControllerCommand.QueuePairs}. */
    private final BitSet gaveUp = new BitSet();
    private final QueuePairMetrics metrics = new QueuePairMetrics();
    private boolean clean = true;
    private ShutdownFailedException shutdownFailure;
    private boolean closed;

    private ControllerSupervisor(
        final ActorContext<ControllerCommand> context,
        final TimerScheduler<ControllerCommand> timers,
        final NvmeqSettings settings,
        final NvmeController controller,
        final BringUp.Ready ready,
        final DeviceHeldRequests heldByDevice)
    {
        this.heldByDevice = heldByDevice;
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.controller = controller;
        this.ready = ready;
        this.live = new ArrayList<>(ready.queuePairs());
        metrics.register(settings.device(), ready.cpus(), ready.counters());
        timers.startTimerWithFixedDelay(HEALTH_TIMER, new HealthCheck(), settings.recovery().healthCheck());
    }

    public static Behavior<ControllerCommand> create(final NvmeqSettings settings)
    {
        return create(settings, null);
    }

    /** @param listener told the {@link BringUp} outcome once; may be null */
    public static Behavior<ControllerCommand> create(final NvmeqSettings settings, final ActorRef<BringUp> listener)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> bringUp(context, timers, settings, listener)));
    }

    private static Behavior<ControllerCommand> bringUp(
        final ActorContext<ControllerCommand> context,
        final TimerScheduler<ControllerCommand> timers,
        final NvmeqSettings settings,
        final ActorRef<BringUp> listener)
    {
        NvmeDevice device = null;
        NvmeController controller = null;
        try
        {
            final BitSet usable = CpuPlan.usableCpus();
            final int wanted = CpuPlan.wantedQueuePairs(settings, usable);
            device = Devices.open(settings.device());
            // Interrupts per queue-pair thread (CPU), for the completion modes that sleep on them.
            final CompletionVectors vectors = settings.pollMode() == NvmeqSettings.PollMode.BUSY_POLL &&
                settings.completionMode().usesInterrupts() ? new CompletionVectors() : null;
            // More than the actors use: the rest are lent to plain threads (OpenQueuePair).
            controller = NvmeController.open(device, ControllerOptions.defaults()
                .withCompletionVectors(vectors)
                .withIoQueuePairs(wanted + ThreadQueues.EXTRA_QUEUE_PAIRS)
                .withIoQueueEntries(settings.queueEntries())
                .withIoTimeout(settings.recovery().ioTimeout())
                .withMaxRetries(settings.recovery().maxRetries())
                .withAdminTimeout(settings.recovery().adminTimeout()));
            final int count = Math.min(wanted, controller.grantedIoQueuePairs());
            final List<Integer> cpus = CpuPlan.assign(count, settings.cpus(), usable);
            // Dispatchers first: a configuration error must not leave queues behind.
            final List<DispatcherSelector> dispatchers = new ArrayList<>(count);
            for (final int cpu : cpus)
            {
                dispatchers.add(CpuDispatchers.forCpu(context.getSystem(), settings, cpu));
            }
            // All queues before any actor: a failure here leaves no child whose PostStop would race
            // with closing the controller.
            final List<QueuePair> queuePairs = new ArrayList<>(count);
            final List<QueuePairCounters> counters = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                // One set of counters per queue pair, for the engine and the actor, across re-creations.
                counters.add(new QueuePairCounters());
                if (vectors != null)
                {
                    vectors.assign(i + 1, cpus.get(i));
                }
                queuePairs.add(controller.createQueuePair(i + 1, settings.queueEntries(), counters.get(i)));
            }
            // Before any I/O: from now on temporary-region resets run on the mapper, not on the queue pairs.
            final ActorRef<IovaCommand> iovaMapper = context.spawn(IovaMapper.create(controller), "iova-mapper");
            final List<ActorRef<QueuePairCommand>> refs = new ArrayList<>(count);
            final DeviceHeldRequests heldByDevice = new DeviceHeldRequests();
            final ActorRef<QueuePairEvent> events = context.messageAdapter(QueuePairEvent.class, FromQueuePair::new);
            for (int i = 0; i < count; i++)
            {
                final ActorRef<QueuePairCommand> ref = context.spawn(
                    QueuePairActor.create(controller, queuePairs.get(i), cpus.get(i), settings.backlog(),
                        settings.recovery(), counters.get(i), events, heldByDevice),
                    "queue-pair-" + (i + 1),
                    dispatchers.get(i).withNext(MailboxSelector.fromConfig(ArrayQueueMailbox.CONFIG_PATH)));
                context.watchWith(ref, new QueuePairTerminated(i));
                refs.add(ref);
            }
            final NvmeController opened = controller;
            final BringUp.Ready ready = new BringUp.Ready(controller.info(), controller.namespaces(), refs, cpus,
                opened::allocateBuffer, counters, dispatchers, iovaMapper);
            context.getLog().info("controller {} ({}) up on {}: {} of {} wanted queue pairs ({} entries) on CPUs {}",
                ready.controller().model(), ready.controller().serial(), settings.device(), count, wanted,
                settings.queueEntries(), cpus);
            // Counters are published before anyone hears that the controller is up.
            final ControllerSupervisor supervisor =
                new ControllerSupervisor(context, timers, settings, controller, ready, heldByDevice);
            if (listener != null)
            {
                listener.tell(ready);
            }
            return supervisor.running();
        }
        catch (final RuntimeException ex)
        {
            if (listener != null)
            {
                context.getLog().debug("controller bring-up failed for device {}", settings.device(), ex); // the listener reports it
            }
            else
            {
                context.getLog().error("controller bring-up failed for device {}", settings.device(), ex);
            }
            closeQuietly(context, controller, device);
            if (listener != null)
            {
                listener.tell(new BringUp.Failed(ex instanceof NvmeException nvme ? nvme :
                    new ControllerUnavailableException("controller bring-up failed for device " + settings.device() +
                        ": " + ex.getMessage(), ex)));
            }
            return Behaviors.stopped();
        }
    }

    private static void closeQuietly(final ActorContext<ControllerCommand> context, final NvmeController controller,
        final NvmeDevice device)
    {
        try
        {
            if (controller != null)
            {
                controller.close();
            }
            else if (device != null)
            {
                device.close();
            }
        }
        catch (final RuntimeException ex)
        {
            context.getLog().warn("closing after a failed bring-up failed too", ex);
        }
    }

    private Behavior<ControllerCommand> running()
    {
        return Behaviors.receive(ControllerCommand.class)
            .onMessage(ControllerCommand.GetQueuePairs.class, this::onGetQueuePairs)
            .onMessage(ControllerCommand.GetControllerInfo.class, this::onGetControllerInfo)
            .onMessage(ControllerCommand.GetHealth.class, this::onGetHealth)
            .onMessage(ControllerCommand.Shutdown.class, this::onShutdown)
            .onMessage(QueuePairTerminated.class, this::onUnexpectedTermination)
            .onMessage(FromQueuePair.class, this::onQueuePairEventWhileRunning)
            .onMessage(HealthCheck.class, this::onHealthCheck)
            .onMessage(ReviveQueuePair.class, this::onReviveQueuePair)
            .onMessage(ControllerCommand.GetLogPage.class, this::onGetLogPage)
            .onMessage(ControllerCommand.OpenQueuePair.class, this::onOpenQueuePair)
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    private Behavior<ControllerCommand> stopping()
    {
        return Behaviors.receive(ControllerCommand.class)
            .onMessage(ControllerCommand.GetQueuePairs.class, this::onGetQueuePairs)
            .onMessage(ControllerCommand.GetControllerInfo.class, this::onGetControllerInfo)
            .onMessage(ControllerCommand.GetHealth.class, this::onGetHealth)
            .onMessage(ControllerCommand.Shutdown.class, request ->
            {
                shutdownRequesters.add(request.replyTo());
                return Behaviors.same();
            })
            .onMessage(QueuePairTerminated.class, this::onStoppedWhileStopping)
            .onMessage(ShutdownTimedOut.class, this::onShutdownTimedOut)
            .onMessage(ShutdownAbandoned.class, this::onShutdownAbandoned)
            .onMessage(FromQueuePair.class, this::onQueuePairEventWhileStopping)
            .onMessage(HealthCheck.class, check -> Behaviors.same())
            .onMessage(ReviveQueuePair.class, revive -> Behaviors.same())
            .onMessage(ControllerCommand.GetLogPage.class, this::onGetLogPage)
            .onMessage(ControllerCommand.OpenQueuePair.class, request ->
            {
                request.replyTo().tell(new ControllerCommand.QueuePairOpened(null, null,
                    new ControllerUnavailableException("the controller on " + settings.device() + " is shutting down")));
                return Behaviors.same();
            })
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    /** A queue pair for a plain thread: created on the admin thread, answered from there; never waits. */
    private Behavior<ControllerCommand> onOpenQueuePair(final ControllerCommand.OpenQueuePair request)
    {
        if (request.qid() <= live.size())
        {
            request.replyTo().tell(new ControllerCommand.QueuePairOpened(null, null, new InvalidRequestException(
                "I/O queue " + request.qid() + " belongs to a queue-pair actor (1.." + live.size() + ")")));
            return Behaviors.same();
        }
        try
        {
            controller.createQueuePairAsync(request.qid(), request.entries(), new IoCounters()).whenComplete(
                (queuePair, error) -> request.replyTo().tell(error == null ?
                    new ControllerCommand.QueuePairOpened(queuePair, controller, null) :
                    new ControllerCommand.QueuePairOpened(null, null, error instanceof NvmeException nvme ? nvme :
                        new ControllerUnavailableException(error.toString(), error))));
        }
        catch (final NvmeException ex)
        {
            request.replyTo().tell(new ControllerCommand.QueuePairOpened(null, null, ex));
        }
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onGetQueuePairs(final ControllerCommand.GetQueuePairs request)
    {
        final List<ActorRef<QueuePairCommand>> running = new ArrayList<>();
        for (int i = 0; i < live.size(); i++)
        {
            if (live.get(i) != null && !gaveUp.get(i))
            {
                running.add(live.get(i));
            }
        }
        request.replyTo().tell(new ControllerCommand.QueuePairs(running));
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onGetControllerInfo(final ControllerCommand.GetControllerInfo request)
    {
        request.replyTo().tell(new ControllerCommand.ControllerDescription(ready.controller(), ready.namespaces()));
        return Behaviors.same();
    }

    /**
     * A controller that reports a fatal status is reset here, whether or not commands are in flight
     * (the queue pairs' own polls notice it too, but only while they have commands to poll for).
     * Queue pairs re-create their queues on their next poll or submission.
     */
    private Behavior<ControllerCommand> onHealthCheck(final HealthCheck check)
    {
        if (closed || controller.isFailed())
        {
            return Behaviors.same();
        }
        // Never waits: a fatal status starts a reset on the controller's admin thread.
        final ControllerHealth health = controller.checkHealth();
        if (health.fatal() && !health.resetting())
        {
            context.getLog().error("controller on {} reports a fatal status (CSTS 0x{}); resetting it", settings.device(),
                Integer.toHexString(health.csts()));
        }
        return Behaviors.same();
    }

    /** Answered from the controller's admin thread when the log page is read; the supervisor does not wait. */
    private Behavior<ControllerCommand> onGetLogPage(final ControllerCommand.GetLogPage request)
    {
        try
        {
            controller.getLogPageAsync(request.logId(), request.nsid(), request.bytes()).whenComplete((data, error) ->
                request.replyTo().tell(new ControllerCommand.LogPage(request.logId(), data, error == null ? null :
                    error instanceof NvmeException nvme ? nvme : new ControllerUnavailableException(error.toString(), error))));
        }
        catch (final NvmeException ex)
        {
            request.replyTo().tell(new ControllerCommand.LogPage(request.logId(), null, ex));
        }
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onGetHealth(final ControllerCommand.GetHealth request)
    {
        final ControllerHealth health = closed ? new ControllerHealth(-1, false, true, false, controller.resetCount(),
            controller.isFailed()) : controller.health();
        int serving = 0;
        long restarts = 0;
        long aborts = 0;
        long timeouts = 0;
        for (int i = 0; i < live.size(); i++)
        {
            if (live.get(i) != null && !gaveUp.get(i))
            {
                serving++;
            }
            final QueuePairCounters counters = ready.counters().get(i);
            restarts += counters.restarts();
            aborts += counters.aborts();
            timeouts += counters.timeouts();
        }
        request.replyTo().tell(new ControllerCommand.Health(health.csts(), health.ready(), health.fatal(), serving,
            live.size() - serving, restarts, health.resets(), health.failed(), aborts, timeouts));
        return Behaviors.same();
    }

    /**
     * A queue pair that gave up comes back after a cool-down of max-backoff (as SPDK reconnects a failed
     * qpair): one burst of failures must not be a permanent outage.
     */
    private Behavior<ControllerCommand> onQueuePairEventWhileRunning(final FromQueuePair adapted)
    {
        if (adapted.event() instanceof QueuePairEvent.GaveUp event)
        {
            return onQueuePairGaveUp(event);
        }
        return onHeldByDeviceWhileRunning((QueuePairEvent.HeldByDevice)adapted.event());
    }

    /** While stopping, held requests wait for the close anyway, and a queue pair that gave up stays down. */
    private Behavior<ControllerCommand> onQueuePairEventWhileStopping(final FromQueuePair adapted)
    {
        if (adapted.event() instanceof QueuePairEvent.GaveUp event)
        {
            gaveUp.set(event.queueId() - 1);
        }
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onQueuePairGaveUp(final QueuePairEvent.GaveUp failed)
    {
        gaveUp.set(failed.queueId() - 1);
        final Duration coolDown = settings.recovery().maxBackoff();
        context.getLog().error("queue pair {} gave up recovering; requests sent to it are refused with " +
            "QueuePairStoppedException; it comes back in {}", failed.queueId(), coolDown);
        timers.startSingleTimer("revive-" + failed.queueId(), new ReviveQueuePair(failed.queueId()), coolDown);
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onReviveQueuePair(final ReviveQueuePair revive)
    {
        final int index = revive.queueId() - 1;
        final ActorRef<QueuePairCommand> ref = live.get(index);
        if (ref != null && gaveUp.get(index))
        {
            gaveUp.clear(index);
            ref.tell(new QueuePairInternal.Revive());
        }
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onUnexpectedTermination(final QueuePairTerminated terminated)
    {
        context.getLog().error("queue pair {} stopped on its own; it is no longer served and requests sent to it " +
            "go to dead letters", terminated.index() + 1);
        live.set(terminated.index(), null);
        return Behaviors.same();
    }

    /**
     * A queue's deletion failed: the controller no longer follows the admin queue, so only closing it
     * (disabling it) makes it let go of the buffers. Everything is shut down.
     */
    private Behavior<ControllerCommand> onHeldByDeviceWhileRunning(final QueuePairEvent.HeldByDevice held)
    {
        context.getLog().error("the controller on {} did not confirm deleting queue {}: shutting it down so that it " +
            "releases the buffers of {} requests", settings.device(), held.queueId(), held.requests());
        clean = false;
        return beginShutdown();
    }

    private Behavior<ControllerCommand> onShutdown(final ControllerCommand.Shutdown request)
    {
        shutdownRequesters.add(request.replyTo());
        return beginShutdown();
    }

    private Behavior<ControllerCommand> beginShutdown()
    {
        timers.cancel(HEALTH_TIMER);
        final Duration drain = settings.shutdownTimeout().dividedBy(2);
        for (final ActorRef<QueuePairCommand> ref : live)
        {
            if (ref != null)
            {
                ref.tell(new QueuePairInternal.Stop(drain));
            }
        }
        timers.startSingleTimer(SHUTDOWN_TIMER, new ShutdownTimedOut(), settings.shutdownTimeout());
        return finishIfAllStopped();
    }

    private Behavior<ControllerCommand> onStoppedWhileStopping(final QueuePairTerminated terminated)
    {
        live.set(terminated.index(), null);
        return finishIfAllStopped();
    }

    private Behavior<ControllerCommand> onShutdownTimedOut(final ShutdownTimedOut timeout)
    {
        clean = false;
        context.getLog().warn("queue pairs still running {} after the shutdown timeout; stopping them", live);
        for (final ActorRef<QueuePairCommand> ref : live)
        {
            if (ref != null)
            {
                context.stop(ref);
            }
        }
        timers.startSingleTimer(SHUTDOWN_TIMER, new ShutdownAbandoned(), settings.shutdownTimeout());
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onShutdownAbandoned(final ShutdownAbandoned abandoned)
    {
        context.getLog().error("queue pairs {} did not stop; closing the controller regardless", live);
        return finish();
    }

    private Behavior<ControllerCommand> finishIfAllStopped()
    {
        for (final ActorRef<QueuePairCommand> ref : live)
        {
            if (ref != null)
            {
                return stopping();
            }
        }
        return finish();
    }

    private Behavior<ControllerCommand> finish()
    {
        timers.cancel(SHUTDOWN_TIMER);
        closeController();
        for (final ActorRef<ControllerCommand.ShutdownComplete> requester : shutdownRequesters)
        {
            requester.tell(new ControllerCommand.ShutdownComplete(clean, shutdownFailure));
        }
        return Behaviors.stopped();
    }

    /** Stopped without Shutdown (e.g. the actor system terminates): the children have stopped by now. */
    private Behavior<ControllerCommand> onPostStop()
    {
        closeController();
        return Behaviors.same();
    }

    private void closeController()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        metrics.unregisterAll();
        try
        {
            controller.close();
            context.getLog().info("controller on {} closed", settings.device());
        }
        catch (final ShutdownFailedException ex)
        {
            // Closed all the same; the failure is the answer to Shutdown, for the caller to act on.
            clean = false;
            shutdownFailure = ex;
            context.getLog().error("{}", ex.getMessage());
        }
        catch (final NvmeException ex)
        {
            clean = false;
            context.getLog().error("closing the controller on {} failed", settings.device(), ex);
        }
        // Closed (the device was disabled and released, even if shutting it down failed): it no longer
        // touches any buffer.
        heldByDevice.answerAll("the controller on " + settings.device() + " failed with the request in flight; it was closed");
    }
}
