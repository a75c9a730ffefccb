package io.nvmeq.examples.faults;

import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.NvmeException;

/** Names the kind of a typed error for the tally: its class, and for a device status the status's name. */
final class ErrorKinds
{
    private ErrorKinds()
    {
    }

    /** E.g. "CommandFailedException (Internal Error)", "QueuePairRestartedException". */
    static String of(final NvmeException error)
    {
        if (error instanceof CommandFailedException failed)
        {
            return error.getClass().getSimpleName() + " (" + failed.statusName() + ")";
        }
        return error.getClass().getSimpleName();
    }
}
