package io.nvmeq.examples.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.examples.QuickStart;
import io.nvmeq.hw.device.DeviceUri;
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
        description = "The device (default: nvmeq.device from configuration, emu:memory?size=64m). "
            + "CAUTION: overwrites the first 4 MiB of namespace 1.")
    private String device;

    @Option(
        names = "--queue-pairs",
        paramLabel = "N",
        description = "I/O queue pairs to create (default: nvmeq.queue-pairs, 0 = one per CPU); "
            + "the controller may grant fewer.")
    private Integer queuePairs;

    @Override
    public Integer call() throws IOException
    {
        NvmeqSettings settings = NvmeqSettings.load();
        if (device != null)
        {
            settings = settings.withDevice(device);
        }
        if (queuePairs != null)
        {
            settings = settings.withQueuePairs(queuePairs);
        }
        DeviceUri.parse(settings.device());
        return QuickStart.run(settings, spec.commandLine().getOut());
    }
}
