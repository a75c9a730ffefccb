package io.nvmeq.examples.cli;

/** The exit statuses of the {@code nvmeq} command; scripts may rely on them. */
public final class ExitCodes
{
    /** Everything asked for was done. */
    public static final int OK = 0;
    /** The device or the operating system refused or failed an operation; one line on stderr says why. */
    public static final int FAILED = 1;
    /** The command line was wrong (picocli's own usage status); the message and usage are on stderr. */
    public static final int USAGE = 2;
    /** Data read back differs from what was written. */
    public static final int MISMATCH = 3;

    private ExitCodes()
    {
    }
}
