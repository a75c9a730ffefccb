package io.nvmeq.actors;

import java.util.HashSet;
import java.util.Set;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.nvmeq.engine.IovaExhaustedException;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.RegisteredBuffer;

/**
 * The controller's IOVA-mapping actor, shared by all queue pairs and never on their threads. It
 * serialises buffer registrations (each an IOMMU map call, a system call on VFIO) and runs the
 * maintenance of the temporary region: every reset of a drained epoch (one bulk unmap, outside the
 * allocator's lock), and the lease work a queue pair could not do itself because the lock was busy
 * at that moment: cutting it a lease, taking back the leases it gave back. A queue pair maps inside
 * its own lease without any lock and never waits for one; with no lease at hand it bounces (see the
 * engine's IovaSpace), so no request waits for a lease nor for a reset.
 */
public final class IovaMapper extends AbstractBehavior<IovaCommand>
{
    sealed interface Internal extends IovaCommand permits RunReset, RetryRegistration
    {
    }

    /** From the engine, on whatever thread asked for lease work (a lease wanted, one given back): do it here. */
    record RunReset(Runnable reset) implements Internal
    {
    }

    /** A registration that found the IOVA space full while epoch resets were queued: once more, after them. */
    record RetryRegistration(IovaCommand.RegisterBuffer request) implements Internal
    {
    }

    private final NvmeController controller;
    private final Set<RegisteredBuffer> registrations = new HashSet<>();
    private long resets;

    public static Behavior<IovaCommand> create(final NvmeController controller)
    {
        return Behaviors.setup(context -> new IovaMapper(context, controller));
    }

    private IovaMapper(final ActorContext<IovaCommand> context, final NvmeController controller)
    {
        super(context);
        this.controller = controller;
        final ActorRef<IovaCommand> self = context.getSelf();
        controller.resetTemporaryMappingsWith(reset -> self.tell(new RunReset(reset)));
    }

    @Override
    public Receive<IovaCommand> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(RunReset.class, this::onRunReset)
            .onMessage(IovaCommand.RegisterBuffer.class, request -> register(request, true))
            .onMessage(RetryRegistration.class, retry -> register(retry.request(), false))
            .onMessage(IovaCommand.UnregisterBuffer.class, this::onUnregister)
            .onMessage(IovaCommand.GetIovaStats.class, this::onGetStats)
            .onSignal(PostStop.class, signal -> onPostStop())
            .build();
    }

    private Behavior<IovaCommand> onRunReset(final RunReset reset)
    {
        try
        {
            // Counted around the run: this actor is the only one that resets while it is the executor, apart
            // from a fixed allocation elsewhere that needs the room at once.
            final long before = controller.temporaryEpochResets();
            reset.reset().run();
            resets += controller.temporaryEpochResets() - before;
        }
        catch (final RuntimeException ex)
        {
            // An epoch being reset stays occupied (never reused while possibly mapped); the data path bounces instead.
            getContext().getLog().error("temporary IOVA maintenance failed; an epoch's room may stay unused", ex);
        }
        return this;
    }

    private Behavior<IovaCommand> register(final IovaCommand.RegisterBuffer request, final boolean mayRetry)
    {
        try
        {
            final RegisteredBuffer registration = controller.registerBuffer(request.buffer());
            registrations.add(registration);
            request.replyTo().tell(new IovaCommand.Registered(registration));
        }
        catch (final IovaExhaustedException ex)
        {
            if (mayRetry)
            {
                // Epoch resets queued before this message have run by now; ones the attempt itself
                // queued run before the retry, which goes behind them.
                getContext().getSelf().tell(new RetryRegistration(request));
            }
            else
            {
                request.replyTo().tell(new IovaCommand.RegistrationFailed(ex));
            }
        }
        catch (final NvmeException ex)
        {
            request.replyTo().tell(new IovaCommand.RegistrationFailed(ex));
        }
        return this;
    }

    private Behavior<IovaCommand> onUnregister(final IovaCommand.UnregisterBuffer request)
    {
        if (registrations.remove(request.registration()))
        {
            request.registration().close();
        }
        request.replyTo().tell(new IovaCommand.Unregistered(request.registration()));
        return this;
    }

    private Behavior<IovaCommand> onGetStats(final IovaCommand.GetIovaStats request)
    {
        request.replyTo().tell(new IovaCommand.IovaStats(controller.temporaryEpochResets(),
            controller.temporaryMappingRefusals(), resets, registrations.size()));
        return this;
    }

    /** Resets go back inline (nobody would run them now); registrations end with the controller. */
    private Behavior<IovaCommand> onPostStop()
    {
        controller.resetTemporaryMappingsWith(null);
        return this;
    }
}
