package io.nvmeq.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The admin queue pair, used synchronously: one command at a time, each waited for with a deadline.
 * Admin commands are rare and off the data path, so a caller's thread simply polls for the answer.
 */
final class AdminQueue implements CompletionHandler
{
    /** Fills the command dwords of an admin command (opcode and command id are already set). */
    @FunctionalInterface
    interface CommandWriter
    {
        void fill(SubmissionEntry entry);
    }

    private static final int SPINS_BEFORE_PARKING = 1000;

    private final QueuePair queue;
    private final RegisterSpace registers;
    private final long timeoutNanos;

    private boolean done;
    private int status;
    private int dw0;
    /** Tags each command, so that a late answer to one that timed out is not taken for the next one's. */
    private long sequence;

    AdminQueue(final QueuePair queue, final RegisterSpace registers, final long timeoutNanos)
    {
        this.queue = queue;
        this.registers = registers;
        this.timeoutNanos = timeoutNanos;
    }

    QueuePair queue()
    {
        return queue;
    }

    /**
     * Submits one admin command and waits for it.
     *
     * @return DW0 of its completion.
     * @throws CommandFailedException     if the controller answered with an error status
     * @throws ControllerTimeoutException if no answer came before the deadline
     * @throws ControllerFatalException   if the controller reported a fatal status meanwhile
     */
    synchronized int execute(final int opcode, final CommandWriter writer)
    {
        if (queue.isFull())
        {
            throw new ControllerFatalException("the admin queue is full of commands that never completed");
        }
        done = false;
        writer.fill(queue.prepare(opcode, this, ++sequence));
        queue.commit();
        queue.ringDoorbell();

        final long deadline = System.nanoTime() + timeoutNanos;
        int idle = 0;
        while (!done)
        {
            if (queue.poll(1) > 0)
            {
                continue;
            }
            if (++idle < SPINS_BEFORE_PARKING)
            {
                Thread.onSpinWait();
                continue;
            }
            checkControllerStatus();
            if (System.nanoTime() - deadline > 0)
            {
                throw new ControllerTimeoutException(io.nvmeq.hw.spec.Opcodes.adminName(opcode) + " got no answer within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            LockSupport.parkNanos(20_000);
        }
        if (!Status.isSuccess(status))
        {
            throw HostStatus.isHostStatus(status)
                ? HostStatus.exceptionFor(opcode, true, status)
                : new CommandFailedException(opcode, true, status);
        }
        return dw0;
    }

    /**
     * For a controller reset: with no admin command running, {@code disable} stops the controller and
     * points it at the admin rings again; then whatever the admin queue still held is answered and its
     * rings start afresh.
     */
    synchronized void reinitialise(final Runnable disable)
    {
        disable.run();
        queue.failOutstanding(HostStatus.ABORTED_BY_RESET);
        queue.resetRings();
    }

    @Override
    public void onCompletion(final long token, final int status)
    {
        if (token != sequence)
        {
            return; // the answer to a command that timed out already
        }
        this.status = status;
        this.dw0 = queue.completionDw0();
        this.done = true;
    }

    private void checkControllerStatus()
    {
        final int csts = registers.read32(Registers.CSTS);
        if (csts == -1)
        {
            throw new ControllerFatalException("the controller stopped answering: CSTS reads all ones (surprise removal?)");
        }
        if ((csts & Registers.CSTS_CFS) != 0)
        {
            throw new ControllerFatalException("the controller reports a fatal status (CSTS.CFS)");
        }
    }
}
