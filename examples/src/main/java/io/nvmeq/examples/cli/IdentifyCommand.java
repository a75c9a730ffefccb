package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq identify}: the controller and its namespaces, as {@code nvme id-ctrl} and {@code nvme id-ns}. */
@Command(
    name = "identify",
    mixinStandardHelpOptions = true,
    description = {
        "Show Identify Controller and Identify Namespace data as nvme-cli's id-ctrl and id-ns show them (every "
            + "field, nvme-cli's names and formats), then the driver's own state in a section of its own.",
        "With -o json: one object, {\"id_ctrl\": nvme-cli's id-ctrl object, \"namespaces\": [{\"nsid\": N, "
            + "\"id_ns\": nvme-cli's id-ns object}], \"nvmeq\": the driver's state}."
    },
    sortOptions = false)
final class IdentifyCommand implements Callable<Integer>
{
    enum OutputFormat
    {
        NORMAL, JSON
    }

    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOption device;

    @Option(
        names = {"-n", "--namespace", "--namespace-id"},
        paramLabel = "NSID",
        description = "Show only this namespace (default: every active namespace).")
    private Integer namespace;

    @Option(
        names = {"-o", "--output-format"},
        paramLabel = "FORMAT",
        defaultValue = "normal",
        description = "normal (default) or json.")
    private OutputFormat format;

    @Override
    public Integer call()
    {
        final String uri = device.uri();
        final Integer nsid = namespace == null ? null : device.namespace(namespace);
        try (Nvmeq nvmeq = device.open())
        {
            final List<NamespaceInfo> namespaces = nsid == null ? nvmeq.namespaces() : List.of(nvmeq.namespace(nsid));
            final PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.JSON)
            {
                IdentifyReport.json(out, uri, nvmeq.controller(), namespaces);
            }
            else
            {
                IdentifyReport.normal(out, uri, nvmeq.controller(), namespaces);
            }
            return ExitCodes.OK;
        }
    }
}
