package io.nvmeq.examples.bench;

import java.io.PrintWriter;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --eta}: fio's live status line on stderr, shared by {@code bench} and {@code scale}. */
public final class ProgressOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--eta", paramLabel = "WHEN", defaultValue = "auto",
        description = "Live progress line on stderr: auto (on a terminal), always or never (default: ${DEFAULT-VALUE}).")
    String eta;

    /** The progress line the option asks for. @throws ParameterException for an unknown value */
    Progress progress(final PrintWriter err)
    {
        final boolean terminal = System.console() != null;
        return switch (eta)
        {
            case "auto" -> terminal ? new Progress(err, true) : Progress.NONE;
            case "always" -> new Progress(err, terminal);
            case "never" -> Progress.NONE;
            default -> throw new ParameterException(mixee.commandLine(),
                "--eta must be auto, always or never, not '" + eta + "'");
        };
    }
}
