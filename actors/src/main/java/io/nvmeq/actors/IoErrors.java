package io.nvmeq.actors;

import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.NvmeException;

/** Turns a completion's status into the engine's typed error. */
final class IoErrors
{
    private IoErrors()
    {
    }

    static NvmeException commandFailed(final int opcode, final int status)
    {
        return new CommandFailedException(opcode, false, status);
    }
}
