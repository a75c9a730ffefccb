package io.nvmeq.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.emu.FaultInjector;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every timeout, abort, reset and retry path, driven by the emulator's fault injector; in each, every
 * command is answered exactly once ({@link ControllerResetTest.Tally}). Deadlines are short (200 ms) so
 * the tests are quick; waits are bounded by a generous wall-clock guard, never asserted on.
 */
class TimeoutRecoveryTest
{
    private static final Duration IO_TIMEOUT = Duration.ofMillis(200);
    private static final int COMMANDS = 8;

    private NvmeController controller;
    private FaultInjector faults;
    private QueuePair queue;
    private DmaBuffer buffer;

    private void open(final ControllerOptions options)
    {
        final EmulatedController device = (EmulatedController)Devices.open("emu:memory?size=8m&bs=512&mdts=2");
        faults = device.faults();
        controller = NvmeController.open(device, options);
        queue = controller.createQueuePair(1);
        buffer = controller.allocateBuffer(256 * 512);
    }

    private static ControllerOptions options()
    {
        return BufferPathsTest.options().withIoTimeout(IO_TIMEOUT).withAdminTimeout(Duration.ofMillis(300));
    }

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    @Test
    void aLateCompletionWithinTheDeadlineIsJustAnswered()
    {
        open(options());
        faults.delayNextCompletions(1, TimeUnit.MILLISECONDS.toNanos(50));
        final ControllerResetTest.Tally tally = submitAndDrain(COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures);
        assertEquals(0, queue.counters().aborts());
        assertEquals(0, controller.resetCount());
    }

    @Test
    void aLostCompletionIsAbortedAndTheCommandRetried()
    {
        open(options());
        faults.dropNextCompletions(1);
        final ControllerResetTest.Tally tally = submitAndDrain(COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures, "the aborted command was retried and succeeded");
        assertEquals(1, queue.counters().aborts());
        assertEquals(1, queue.counters().retries());
        assertEquals(0, controller.resetCount(), "the Abort sufficed");
    }

    @Test
    void aCompletionLaterThanTheDeadlineIsAbortedToo()
    {
        open(options());
        faults.delayNextCompletions(1, TimeUnit.SECONDS.toNanos(5));
        final ControllerResetTest.Tally tally = submitAndDrain(COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures);
        assertEquals(1, queue.counters().aborts());
        assertEquals(0, controller.resetCount());
    }

    /**
     * The Abort of the lost command gets no answer: nothing waits for it. The lost command is aborted
     * (retried and done) or times out after its second deadline; either way the controller is reset
     * (after the admin deadline, or the second I/O deadline), each command is answered once, and the
     * queue works afterwards.
     */
    @Test
    void anAbortThatGetsNoAnswerEscalatesToAResetAfterTheAdminDeadline()
    {
        open(options());
        faults.dropNextCompletions(1);
        faults.dropNextAdminCompletions(1);
        final ControllerResetTest.Tally tally = submitAndDrain(COMMANDS);
        tally.assertEachAnsweredOnce();
        // Either the Abort took effect (the command was retried and done), or it did not and the command
        // passed its second deadline too (a reset, and the command times out); never anything else.
        assertTrue(tally.failures == 0 || tally.failures == 1 && tally.lastFailure == HostStatus.TIMED_OUT,
            "failures: " + tally.failures + ", last " + HostStatus.describe(tally.lastFailure));
        assertEquals(1, queue.counters().aborts());
        final long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((controller.resetCount() == 0 || controller.health().resetting()) && System.nanoTime() < guard)
        {
            queue.poll(64);
            Thread.onSpinWait();
        }
        assertEquals(1, controller.resetCount(), "the Abort's missing answer reset the controller");
        assertWorks();
        assertEquals(1, queue.counters().recoveries());
    }

    /** The Abort itself is refused: the controller is reset at once, and the command retried after it. */
    @Test
    void aFailedAbortResetsTheControllerAndTheCommandIsRetried()
    {
        open(options());
        faults.dropNextCompletions(1);
        faults.failAdmin(Opcodes.ADMIN_ABORT, Status.INTERNAL_ERROR, 1);
        final ControllerResetTest.Tally tally = submitAndDrain(COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures, "retried after the reset");
        assertEquals(1, queue.counters().aborts());
        assertEquals(1, controller.resetCount());
        assertWorks();
    }

    @Test
    void controllerFatalStatusResetsTheControllerAndOutstandingCommandsAreRetried()
    {
        open(options());
        final ControllerResetTest.Tally tally = new ControllerResetTest.Tally(COMMANDS);
        faults.fatal();
        for (int i = 0; i < COMMANDS; i++)
        {
            assertTrue(queue.submitWrite(1, i, 1, buffer, 0, false, tally, i));
        }
        pollUntil(tally, COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures);
        assertEquals(1, queue.counters().fatalStatusSeen());
        assertEquals(1, controller.resetCount());
        assertWorks();
    }

    @Test
    void surpriseRemovalFailsEverythingForGood()
    {
        open(options());
        final ControllerResetTest.Tally tally = new ControllerResetTest.Tally(COMMANDS);
        faults.surpriseRemoval();
        for (int i = 0; i < COMMANDS; i++)
        {
            assertTrue(queue.submitRead(1, i, 1, buffer, 0, tally, i));
        }
        pollUntil(tally, COMMANDS);
        tally.assertEachAnsweredOnce();
        assertEquals(COMMANDS, tally.failures);
        assertEquals(HostStatus.CONTROLLER_FAILED, tally.lastFailure);
        assertInstanceOf(ControllerFatalException.class, HostStatus.exceptionFor(Opcodes.NVM_READ, false, tally.lastFailure));
        assertTrue(controller.isFailed());
        assertThrows(ControllerFatalException.class, () -> queue.submitRead(1, 0, 1, buffer, 0, tally, 0));
    }

    @Test
    void errorsWithoutDnrAreRetriedUpToTheBoundAndWithDnrNever()
    {
        open(options().withMaxRetries(2));
        faults.failNext(Opcodes.NVM_READ, Status.INTERNAL_ERROR, 2);
        ControllerResetTest.Tally tally = submitReadsAndDrain(1);
        assertEquals(0, tally.failures, "two retries sufficed");
        assertEquals(2, queue.counters().retries());

        faults.failNext(Opcodes.NVM_READ, Status.INTERNAL_ERROR, 3);
        tally = submitReadsAndDrain(1);
        assertEquals(1, tally.failures, "the bound is two retries");
        assertEquals(Status.INTERNAL_ERROR, Status.codeOf(tally.lastFailure));

        faults.failNext(Opcodes.NVM_READ, Status.withDnr(Status.UNRECOVERED_READ_ERROR), 1);
        final long retries = queue.counters().retries();
        tally = submitReadsAndDrain(1);
        assertEquals(1, tally.failures);
        assertEquals(retries, queue.counters().retries(), "never retried with DNR");
        assertInstanceOf(CommandFailedException.class, HostStatus.exceptionFor(Opcodes.NVM_READ, false, tally.lastFailure));
    }

    @Test
    void aSplitRequestIsAnsweredOnceWithItsFirstError()
    {
        open(options().withMaxRetries(0));
        faults.failNext(Opcodes.NVM_READ, Status.withDnr(Status.UNRECOVERED_READ_ERROR), 1);
        final ControllerResetTest.Tally tally = new ControllerResetTest.Tally(1);
        assertTrue(queue.submitRead(1, 0, 200, buffer, 0, tally, 0));
        assertEquals(7, queue.inFlight());
        pollUntil(tally, 1);
        tally.assertEachAnsweredOnce();
        assertEquals(Status.UNRECOVERED_READ_ERROR, Status.codeOf(tally.lastFailure));
        assertEquals(0, queue.inFlight(), "answered only when all seven commands were done");
    }

    private void assertWorks()
    {
        final ControllerResetTest.Tally after = submitReadsAndDrain(4);
        after.assertEachAnsweredOnce();
        assertEquals(0, after.failures);
    }

    private ControllerResetTest.Tally submitAndDrain(final int commands)
    {
        final ControllerResetTest.Tally tally = new ControllerResetTest.Tally(commands);
        for (int i = 0; i < commands; i++)
        {
            assertTrue(queue.submitWrite(1, i, 1, buffer, 0, false, tally, i));
        }
        pollUntil(tally, commands);
        return tally;
    }

    private ControllerResetTest.Tally submitReadsAndDrain(final int commands)
    {
        final ControllerResetTest.Tally tally = new ControllerResetTest.Tally(commands);
        for (int i = 0; i < commands; i++)
        {
            assertTrue(queue.submitRead(1, i, 1, buffer, 0, tally, i));
        }
        pollUntil(tally, commands);
        return tally;
    }

    /** Polls until {@code expected} answers came; a guard of 20 s stops a broken driver from hanging the build. */
    private void pollUntil(final ControllerResetTest.Tally tally, final int expected)
    {
        final long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (tally.answered() < expected && System.nanoTime() < guard)
        {
            queue.poll(64);
            Thread.onSpinWait();
        }
        assertEquals(expected, tally.answered(), "answers");
    }
}
