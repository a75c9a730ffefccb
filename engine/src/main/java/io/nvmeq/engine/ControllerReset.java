package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * Controller reset (NVMe base spec 2.0 §3.7.2) as a state machine stepped by the {@link AdminPoller}
 * (SPDK's nvme_ctrlr_process_init does the same): no queue owner inside a doorbell write → CC.EN = 0
 * → wait for CSTS.RDY = 0 (the device stops all DMA and drops every queue) → the admin queue afresh
 * → CC.EN = 1 → wait for CSTS.RDY = 1 → the number of queues negotiated again → every registered I/O
 * queue created again. Each wait is one look (at the owners' doorbell flags, or one register read) per
 * step with a CAP.TO deadline; each admin command is answered by callback. Nothing waits. The
 * generation moves on when the reset begins, and the queue owners reconnect when it ends.
 * A step that fails (a deadline, CFS while enabling, all-ones registers, a refused command) fails the
 * controller for good: CC.EN = 0, and every command on it is answered
 * {@link HostStatus#CONTROLLER_FAILED}.
 */
final class ControllerReset
{
    private static final Logger LOG = LoggerFactory.getLogger(ControllerReset.class);

    private enum Step
    {
        IDLE, QUIESCING, DISABLING, ENABLING, NEGOTIATING, RECREATING
    }

    private final String uri;
    private final AdminPoller poller;
    private final RegisterSpace registers;
    private final long readyTimeoutNanos;
    private final int hostPageShift;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private int wantedQueues;
    private int grantedQueues;
    private Step step = Step.IDLE;
    private long deadline;
    private List<QueuePair> toRecreate = List.of();
    private int next;

    ControllerReset(final String uri, final AdminPoller poller, final RegisterSpace registers,
        final long readyTimeoutNanos, final int hostPageShift)
    {
        this.uri = uri;
        this.poller = poller;
        this.registers = registers;
        this.readyTimeoutNanos = readyTimeoutNanos;
        this.hostPageShift = hostPageShift;
    }

    /** After bring-up: what a reset negotiates again, and the fewest queue pairs it may accept. */
    void negotiated(final int wanted, final int granted)
    {
        this.wantedQueues = wanted;
        this.grantedQueues = granted;
    }

    boolean busy()
    {
        return step != Step.IDLE;
    }

    /** Three waits of CAP.TO each (doorbells, two registers): the longest a reset takes before its admin commands. */
    long maxDurationNanos()
    {
        return 3 * readyTimeoutNanos;
    }

    /** {@code done} completes when the reset under way (or the next one to end) has ended. */
    void whenDone(final CompletableFuture<Void> done)
    {
        waiters.add(done);
    }

    void start(final String reason, final long now)
    {
        LOG.warn("{}: resetting the controller: {}", uri, reason);
        poller.resetBegins();
        step = Step.QUIESCING;
        deadline = now + readyTimeoutNanos;
        quiesce(now);
    }

    /**
     * The generation has moved: no owner starts a doorbell write from now on. One that checked the
     * generation just before may still be about to write; the controller is disabled only once none
     * is, so that no old doorbell value can reach the queues this reset re-creates.
     */
    private void quiesce(final long now)
    {
        for (final QueuePair queuePair : poller.registeredQueues())
        {
            if (queuePair.recovery.inDoorbellWrite())
            {
                if (now - deadline > 0)
                {
                    fail("queue " + queuePair.id() + " was still writing a doorbell after CAP.TO");
                }
                return;
            }
        }
        try
        {
            final int cc = registers.read32(Registers.CC);
            registers.write32(Registers.CC, cc & ~Registers.CC_EN);
        }
        catch (final RuntimeException ex)
        {
            fail("CC could not be written: " + ex.getMessage());
            return;
        }
        step = Step.DISABLING;
        deadline = now + readyTimeoutNanos;
    }

    /** One look at CSTS in the register-wait steps; the others advance on their completions. */
    void step(final long now)
    {
        if (step == Step.QUIESCING)
        {
            quiesce(now);
            return;
        }
        if (step != Step.DISABLING && step != Step.ENABLING)
        {
            return;
        }
        final int csts = registers.read32(Registers.CSTS);
        if (csts == -1)
        {
            fail("CSTS reads all ones (surprise removal?)");
            return;
        }
        if (step == Step.DISABLING)
        {
            if ((csts & Registers.CSTS_RDY) == 0)
            {
                // Stopped: no admin command will complete; answer them and start the rings afresh.
                final AdminQueuePair admin = poller.queue();
                admin.failOutstanding(HostStatus.ABORTED_BY_RESET);
                admin.resetRings();
                admin.program();
                registers.write32(Registers.CC, Registers.ccEnable(hostPageShift));
                step = Step.ENABLING;
                deadline = now + readyTimeoutNanos;
            }
            else if (now - deadline > 0)
            {
                fail("no CSTS.RDY = 0 after CC.EN = 0 within CAP.TO");
            }
            return;
        }
        if ((csts & Registers.CSTS_RDY) != 0)
        {
            step = Step.NEGOTIATING;
            poller.submitNow(AdminCommand.numberOfQueues(wantedQueues), this::onNegotiated);
        }
        else if ((csts & Registers.CSTS_CFS) != 0)
        {
            fail("controller fatal status (CSTS.CFS) while enabling");
        }
        else if (now - deadline > 0)
        {
            fail("no CSTS.RDY = 1 after CC.EN = 1 within CAP.TO");
        }
    }

    private void onNegotiated(final int status, final int dw0)
    {
        if (failedStep(status, "Set Features (Number of Queues)"))
        {
            return;
        }
        final int granted = AdminCommand.grantedQueues(dw0, wantedQueues);
        if (granted < grantedQueues)
        {
            fail("after the reset the controller grants " + granted + " I/O queue pairs instead of " + grantedQueues);
            return;
        }
        step = Step.RECREATING;
        toRecreate = poller.registeredQueues();
        next = 0;
        recreateNext();
    }

    private void recreateNext()
    {
        if (next == toRecreate.size())
        {
            finish();
            return;
        }
        final QueuePair queuePair = toRecreate.get(next);
        final int qid = queuePair.id();
        final int vector = queuePair.interrupt() == null ? CompletionVectors.NONE : queuePair.interrupt().vector();
        poller.submitNow(AdminCommand.createIoCq(qid, queuePair.entries(), queuePair.cqIova(), vector), (status, dw0) ->
        {
            if (failedStep(status, "Create I/O CQ " + qid))
            {
                return;
            }
            poller.submitNow(AdminCommand.createIoSq(qid, queuePair.entries(), queuePair.sqIova()), (sqStatus, ignored) ->
            {
                if (failedStep(sqStatus, "Create I/O SQ " + qid))
                {
                    return;
                }
                next++;
                recreateNext();
            });
        });
    }

    private boolean failedStep(final int status, final String what)
    {
        if (step == Step.IDLE)
        {
            return true; // the reset failed already; this is the answer to one of its commands
        }
        if (Status.isSuccess(status) && !HostStatus.isHostStatus(status))
        {
            return false;
        }
        fail(what + " failed: " + HostStatus.describe(status));
        return true;
    }

    private void finish()
    {
        step = Step.IDLE;
        toRecreate = List.of();
        poller.resetEnded(false);
        LOG.info("{}: controller reset done", uri);
        completeWaiters();
    }

    private void fail(final String why)
    {
        step = Step.IDLE;
        toRecreate = List.of();
        LOG.error("{}: the controller could not be reset ({}); it is failed for good", uri, why);
        try
        {
            registers.write32(Registers.CC, 0);
        }
        catch (final RuntimeException ignored)
        {
            // A removed device may refuse even this; it no longer reaches our memory either way.
        }
        poller.resetEnded(true);
        poller.queue().failOutstanding(HostStatus.CONTROLLER_FAILED);
        completeWaiters();
    }

    private void completeWaiters()
    {
        final List<CompletableFuture<Void>> done = new ArrayList<>(waiters);
        waiters.clear();
        for (final CompletableFuture<Void> waiter : done)
        {
            waiter.complete(null);
        }
    }
}
