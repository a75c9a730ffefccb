package io.nvmeq.engine;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/** The device completed a command with an error status. */
public final class CommandFailedException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int opcode;
    private final boolean admin;

    public CommandFailedException(final int opcode, final boolean admin, final int status)
    {
        super(describe(opcode, admin, status));
        this.status = status;
        this.opcode = opcode;
        this.admin = admin;
    }

    /** The 15-bit status field (see {@link Status}). */
    public int status()
    {
        return status;
    }

    public int opcode()
    {
        return opcode;
    }

    public boolean admin()
    {
        return admin;
    }

    /** The specification's name of the status, e.g. "LBA Out of Range". */
    public String statusName()
    {
        return Status.describe(status);
    }

    /** Whether the controller said a retry cannot succeed. */
    public boolean doNotRetry()
    {
        return Status.doNotRetry(status);
    }

    static String describe(final int opcode, final boolean admin, final int status)
    {
        return (admin ? Opcodes.adminName(opcode) : Opcodes.nvmName(opcode)) + " failed: " + Status.describe(status)
            + " (SCT 0x" + Integer.toHexString(Status.statusCodeType(status))
            + ", SC 0x" + Integer.toHexString(Status.statusCode(status))
            + (Status.doNotRetry(status) ? ", DNR)" : ")");
    }
}
