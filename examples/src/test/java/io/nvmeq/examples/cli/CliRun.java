package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code nvmeq} command line, with what it printed. */
record CliRun(int exitCode, String out, String err)
{
    static CliRun nvmeq(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final picocli.CommandLine commandLine = NvmeqCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
    }
}
