package io.nvmeq.examples.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * fio's {@code --output-format} and {@code --output}, shared by {@code bench}, {@code scale} and {@code faults}:
 * a comma-separated list of normal, json and json+ (json with the latency bins), written to stdout or a file.
 */
public final class OutputOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "normal",
        description = "normal, json (fio's layout) or json+ (json with latency bins), or several comma-separated, "
            + "e.g. normal,json: the text, then the JSON of the same run on one line (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", paramLabel = "FILE",
        description = "Write the report to FILE instead of stdout (fio's --output).")
    Path output;

    private boolean text;
    private boolean json;
    private boolean jsonPlus;

    /** Checks the format; call before any work. @throws ParameterException naming a format it does not know */
    public void validate()
    {
        text = false;
        json = false;
        jsonPlus = false;
        for (final String part : format.toLowerCase(Locale.ROOT).split(","))
        {
            switch (part.trim())
            {
                case "normal" -> text = true;
                case "json" -> json = true;
                case "json+" -> jsonPlus = true;
                default -> throw new ParameterException(mixee.commandLine(), "--output-format must be normal, json " +
                    "or json+ (or several, comma-separated), not '" + format + "'");
            }
        }
    }

    public boolean text()
    {
        return text;
    }

    /** JSON of either kind. */
    public boolean json()
    {
        return json || jsonPlus;
    }

    /** json+: the latency bins too. */
    public boolean jsonPlus()
    {
        return jsonPlus;
    }

    /** Where the report goes: stdout, or the --output file (created or truncated). */
    public PrintWriter open(final PrintWriter stdout) throws IOException
    {
        if (output == null)
        {
            return stdout;
        }
        return new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8), true);
    }

    /** Closes what {@link #open} opened (never stdout). */
    public void close(final PrintWriter out)
    {
        if (output != null)
        {
            out.close();
        }
        else
        {
            out.flush();
        }
    }
}
