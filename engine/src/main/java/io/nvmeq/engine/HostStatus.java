package io.nvmeq.engine;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * Statuses the driver itself gives a command that the device will never answer. Each carries the
 * specification's "Command Aborted By Host" (Path Related Status, SCT 3h / SC 71h, as Linux reports
 * cancelled commands), so {@link Status#isSuccess} is false and {@link Status#describe} still reads
 * sensibly; bits above the 15-bit status field say why, and {@link #exceptionFor} turns any status into
 * the typed error an application sees.
 */
public final class HostStatus
{
    /** SCT 3h, SC 71h: Command Aborted By Host. */
    public static final int ABORTED_BY_HOST = (Status.SCT_PATH << 8) | 0x71;
    /**
     * The controller was reset while it held the command and retries were used up: whether it was
     * executed is unknown (a write may or may not be on the medium); may be retried.
     */
    public static final int ABORTED_BY_RESET = ABORTED_BY_HOST | (1 << 16);
    /** The controller was reset before the command ever reached it (its doorbell was not rung): it did nothing. */
    public static final int NOT_SUBMITTED_BEFORE_RESET = ABORTED_BY_HOST | (1 << 19);
    /** The command's deadline passed twice (before and after an Abort) and the controller was reset; may be retried. */
    public static final int TIMED_OUT = ABORTED_BY_HOST | (1 << 17);
    /** The controller could not be recovered (surprise removal, failed reset): a retry on it cannot succeed. */
    public static final int CONTROLLER_FAILED = ABORTED_BY_HOST | Status.DNR | (1 << 18);

    private HostStatus()
    {
    }

    /** Whether the driver, not the device, produced {@code status}. */
    public static boolean isHostStatus(final int status)
    {
        return (status >>> 16) != 0;
    }

    public static String describe(final int status)
    {
        switch (status)
        {
            case ABORTED_BY_RESET: return "Command Aborted By Host: the controller was reset while it held the command "
                + "(outcome unknown: it may or may not have been executed)";
            case NOT_SUBMITTED_BEFORE_RESET: return "Command Aborted By Host: the controller was reset before the command "
                + "reached it (it did nothing)";
            case TIMED_OUT: return "Command Aborted By Host: no completion before the deadline, even after Abort";
            case CONTROLLER_FAILED: return "Command Aborted By Host: the controller failed and could not be reset";
            default: return Status.describe(status);
        }
    }

    /**
     * The typed error for a failed command: {@link CommandTimeoutException}, {@link ControllerResetException},
     * {@link ControllerFatalException} for the driver's own statuses, {@link CommandFailedException} for
     * the device's; null for success.
     */
    public static NvmeException exceptionFor(final int opcode, final boolean admin, final int status)
    {
        if (Status.isSuccess(status) && !isHostStatus(status))
        {
            return null;
        }
        final String command = admin ? Opcodes.adminName(opcode) : Opcodes.nvmName(opcode);
        switch (status)
        {
            case TIMED_OUT:
                return new CommandTimeoutException(command + " failed: " + describe(status), status);
            case ABORTED_BY_RESET:
            case NOT_SUBMITTED_BEFORE_RESET:
                return new ControllerResetException(command + " failed: " + describe(status), status);
            case CONTROLLER_FAILED:
                return new ControllerFatalException(command + " failed: " + describe(status));
            default:
                return new CommandFailedException(opcode, admin, status);
        }
    }
}
