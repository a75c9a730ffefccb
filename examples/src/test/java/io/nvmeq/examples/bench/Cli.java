package io.nvmeq.examples.bench;

import java.io.PrintWriter;
import java.io.StringWriter;

import io.nvmeq.examples.cli.NvmeqCli;

/** One in-process run of the {@code nvmeq} command line, with what it printed. */
record Cli(int exitCode, String out, String err)
{
    static Cli nvmeq(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final picocli.CommandLine commandLine = NvmeqCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Cli(exitCode, out.toString(), err.toString());
    }

    /** The last line of stdout: the JSON of {@code --output-format=normal,json}. */
    String jsonLine()
    {
        final String[] lines = out.strip().split("\\R");
        return lines[lines.length - 1];
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
    }
}
