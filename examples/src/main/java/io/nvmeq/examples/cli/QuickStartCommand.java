package io.nvmeq.examples.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import io.nvmeq.examples.QuickStart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq quickstart}: {@link QuickStart} from the command line. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
        "Write a pseudo-random pattern over the first 4 MiB of namespace 1 with commands spread over every queue "
            + "pair, flush, read it back and check it byte for byte.",
        "Exit status 3 if the data read back differs."
    })
final class QuickStartCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(
        names = "--device",
        paramLabel = "URI",
        defaultValue = QuickStart.DEFAULT_DEVICE,
        description = "The device (default: ${DEFAULT-VALUE}). CAUTION: overwrites the first 4 MiB of namespace 1.")
    private String device;

    @Override
    public Integer call() throws IOException
    {
        return QuickStart.run(device, spec.commandLine().getOut());
    }
}
