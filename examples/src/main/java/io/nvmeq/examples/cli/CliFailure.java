package io.nvmeq.examples.cli;

/**
 * A failure the user can act on, with a message that says so. Reported as one line, without a stack trace.
 */
public final class CliFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public CliFailure(final String message)
    {
        super(message);
    }
}
