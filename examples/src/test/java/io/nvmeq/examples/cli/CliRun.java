package io.nvmeq.examples.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/**
 * One in-process run of the {@code nvmeq} command line, with what it printed: text on stdout and stderr, and the
 * raw bytes that {@code -d -} wrote to stdout.
 */
record CliRun(int exitCode, String out, String err, byte[] data)
{
    static CliRun nvmeq(final String... args)
    {
        return withStdin(new byte[0], args);
    }

    /** A run whose {@code -d -} reads {@code stdin}. */
    static CliRun withStdin(final byte[] stdin, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final CommandLine commandLine = NvmeqCli.commandLine(new ByteArrayInputStream(stdin), data);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString(), data.toByteArray());
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err + "\n--- data: " + data.length +
            " bytes";
    }
}
