package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq id-ns}: exactly what {@code nvme id-ns} prints, for scripts written against nvme-cli. */
@Command(
    name = "id-ns",
    mixinStandardHelpOptions = true,
    description = "Show Identify Namespace exactly as 'nvme id-ns' does (normal or -o json).",
    sortOptions = false)
final class IdNsCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOption device;

    @Option(names = {"-n", "--namespace-id"}, paramLabel = "NSID",
        description = "The namespace (default: the one of an nvme://BDF/NSID device, else 1).")
    private Integer namespace;

    @Option(names = {"-o", "--output-format"}, paramLabel = "FORMAT", defaultValue = "normal",
        description = "normal (default) or json.")
    private IdentifyCommand.OutputFormat format;

    @Override
    public Integer call()
    {
        final int nsid = device.namespace(namespace);
        try (Nvmeq nvmeq = device.open())
        {
            final NamespaceInfo info = nvmeq.namespace(nsid);
            final PrintWriter out = spec.commandLine().getOut();
            if (format == IdentifyCommand.OutputFormat.JSON)
            {
                IdentifyReport.jsonNamespace(out, info);
            }
            else
            {
                IdNamespaceReport.normal(out, nsid, IdentifyReport.namespaceData(info));
                out.flush();
            }
            return ExitCodes.OK;
        }
    }
}
