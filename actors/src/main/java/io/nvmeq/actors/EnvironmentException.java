package io.nvmeq.actors;

import io.nvmeq.engine.NvmeException;

/**
 * The JVM that {@link Nvmeq#open} runs in cannot run nvmeq (a native library that does not load, a
 * dependency of the wrong version on the class path). Thrown before anything is started; the message
 * says what failed and names the fix.
 */
public final class EnvironmentException extends NvmeException
{
    private static final long serialVersionUID = 1L;

    public EnvironmentException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
