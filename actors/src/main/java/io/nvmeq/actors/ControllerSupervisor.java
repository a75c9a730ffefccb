package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.dispatch.CpuDispatchers;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;
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
 * A queue-pair actor that stops on its own is logged and dropped from the list; re-creating it (restart
 * with requeue) is not part of this supervisor.
 */
public final class ControllerSupervisor
{
    /** Messages the supervisor sends itself. */
    sealed interface Internal extends ControllerCommand permits QueuePairTerminated, ShutdownTimedOut, ShutdownAbandoned
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

    private final ActorContext<ControllerCommand> context;
    private final TimerScheduler<ControllerCommand> timers;
    private final NvmeqSettings settings;
    private final NvmeController controller;
    private final BringUp.Ready ready;
    /** Live queue-pair actors by index; null once stopped. */
    private final List<ActorRef<QueuePairCommand>> live;
    private final List<ActorRef<ControllerCommand.ShutdownComplete>> shutdownRequesters = new ArrayList<>();
    private boolean clean = true;
    private boolean closed;

    private ControllerSupervisor(
        final ActorContext<ControllerCommand> context,
        final TimerScheduler<ControllerCommand> timers,
        final NvmeqSettings settings,
        final NvmeController controller,
        final BringUp.Ready ready)
    {
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.controller = controller;
        this.ready = ready;
        this.live = new ArrayList<>(ready.queuePairs());
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
            controller = NvmeController.open(device, ControllerOptions.defaults()
                .withIoQueuePairs(wanted)
                .withIoQueueEntries(settings.queueEntries()));
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
            for (int i = 0; i < count; i++)
            {
                queuePairs.add(controller.createQueuePair(i + 1, settings.queueEntries()));
            }
            final List<ActorRef<QueuePairCommand>> refs = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final ActorRef<QueuePairCommand> ref = context.spawn(
                    QueuePairActor.create(controller, queuePairs.get(i), cpus.get(i), settings.backlog()),
                    "queue-pair-" + (i + 1),
                    dispatchers.get(i));
                context.watchWith(ref, new QueuePairTerminated(i));
                refs.add(ref);
            }
            final NvmeController opened = controller;
            final BringUp.Ready ready = new BringUp.Ready(controller.info(), controller.namespaces(), refs, cpus,
                opened::allocateBuffer);
            context.getLog().info("controller {} ({}) up on {}: {} of {} wanted queue pairs ({} entries) on CPUs {}",
                ready.controller().model(), ready.controller().serial(), settings.device(), count, wanted,
                settings.queueEntries(), cpus);
            if (listener != null)
            {
                listener.tell(ready);
            }
            return new ControllerSupervisor(context, timers, settings, controller, ready).running();
        }
        catch (final RuntimeException ex)
        {
            context.getLog().error("controller bring-up failed for device {}", settings.device(), ex);
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
            .onMessage(ControllerCommand.Shutdown.class, this::onShutdown)
            .onMessage(QueuePairTerminated.class, this::onUnexpectedTermination)
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    private Behavior<ControllerCommand> stopping()
    {
        return Behaviors.receive(ControllerCommand.class)
            .onMessage(ControllerCommand.GetQueuePairs.class, this::onGetQueuePairs)
            .onMessage(ControllerCommand.GetControllerInfo.class, this::onGetControllerInfo)
            .onMessage(ControllerCommand.Shutdown.class, request ->
            {
                shutdownRequesters.add(request.replyTo());
                return Behaviors.same();
            })
            .onMessage(QueuePairTerminated.class, this::onStoppedWhileStopping)
            .onMessage(ShutdownTimedOut.class, this::onShutdownTimedOut)
            .onMessage(ShutdownAbandoned.class, this::onShutdownAbandoned)
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    private Behavior<ControllerCommand> onGetQueuePairs(final ControllerCommand.GetQueuePairs request)
    {
        final List<ActorRef<QueuePairCommand>> running = new ArrayList<>();
        for (final ActorRef<QueuePairCommand> ref : live)
        {
            if (ref != null)
            {
                running.add(ref);
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

    private Behavior<ControllerCommand> onUnexpectedTermination(final QueuePairTerminated terminated)
    {
        context.getLog().error("queue pair {} stopped on its own; it is no longer served and requests sent to it " +
            "go to dead letters", terminated.index() + 1);
        live.set(terminated.index(), null);
        return Behaviors.same();
    }

    private Behavior<ControllerCommand> onShutdown(final ControllerCommand.Shutdown request)
    {
        shutdownRequesters.add(request.replyTo());
        final Duration drain = settings.shutdownTimeout().dividedBy(2);
        for (final ActorRef<QueuePairCommand> ref : live)
        {
            if (ref != null)
            {
                ref.tell(new QueuePairActor.Stop(drain));
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
            requester.tell(new ControllerCommand.ShutdownComplete(clean));
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
        try
        {
            controller.close();
            context.getLog().info("controller on {} closed", settings.device());
        }
        catch (final NvmeException ex)
        {
            clean = false;
            context.getLog().error("closing the controller on {} failed", settings.device(), ex);
        }
    }
}
