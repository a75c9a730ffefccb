package io.nvmeq.examples.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.examples.QuickStart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq quickstart}: {@link QuickStart} from the command line. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
        "Write a pseudo-random pattern over the first 4 MiB of namespace 1 with commands spread over every queue "
            + "pair, flush, read it back and check it byte for byte. CAUTION: overwrites the first 4 MiB of "
            + "namespace 1 of the device.",
        "Exit status 3 if the data read back differs."
    })
final class QuickStartCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    /** The device (default: nvmeq.device from configuration, emu:memory?size=64m). */
    @Mixin
    private DeviceOption device;

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
        final String uri = device.uriOrNull();
        if (uri != null)
        {
            settings = settings.withDevice(uri);
        }
        if (queuePairs != null && queuePairs < 0)
        {
            throw new ParameterException(spec.commandLine(), "--queue-pairs must be 0 (one per CPU) or more, not " +
                queuePairs);
        }
        // The quick start shows what a local controller hands out (DMA buffers, one per command, dealt over its queue
        // pairs); a served namespace has neither, and is refused before anything is opened.
        if (RemoteUri.isRemote(settings.device()))
        {
            throw new ParameterException(spec.commandLine(), "quickstart runs on a controller attached to this machine " +
                "(it uses DMA buffers and queue pairs), and " + settings.device() + " is a namespace served over the " +
                "network; use write, read or bench on it; nothing was written");
        }
        // The quick start writes the first namespace; a device URI that names another is refused, not overwritten.
        if (DeviceOption.namespace(spec, settings.device(), null) != 1)
        {
            throw new ParameterException(spec.commandLine(), "quickstart writes namespace 1, and " +
                settings.device() + " names another namespace; nothing was written");
        }
        if (queuePairs != null)
        {
            settings = settings.withQueuePairs(queuePairs);
        }
        return QuickStart.run(settings, spec.commandLine().getOut());
    }
}
