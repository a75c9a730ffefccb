package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.nvmeq.actors.Nvmeq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq id-ctrl}: exactly what {@code nvme id-ctrl} prints, for scripts written against nvme-cli. */
@Command(
    name = "id-ctrl",
    mixinStandardHelpOptions = true,
    description = "Show Identify Controller exactly as 'nvme id-ctrl' does (normal or -o json); 'identify' shows it "
        + "together with the namespaces and the driver's state.",
    sortOptions = false)
final class IdCtrlCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOption device;

    @Option(names = {"-o", "--output-format"}, paramLabel = "FORMAT", defaultValue = "normal",
        description = "normal (default) or json.")
    private IdentifyCommand.OutputFormat format;

    @Override
    public Integer call()
    {
        device.uri();
        try (Nvmeq nvmeq = device.open())
        {
            final PrintWriter out = spec.commandLine().getOut();
            if (format == IdentifyCommand.OutputFormat.JSON)
            {
                IdentifyReport.jsonController(out, nvmeq.controller());
            }
            else
            {
                IdControllerReport.normal(out, IdentifyReport.controllerData(nvmeq.controller()));
                out.flush();
            }
            return ExitCodes.OK;
        }
    }
}
