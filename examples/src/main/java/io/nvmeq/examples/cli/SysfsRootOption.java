package io.nvmeq.examples.cli;

import java.nio.file.Path;

import io.nvmeq.hw.vfio.NvmeSetup;
import io.nvmeq.hw.vfio.PciSysfs;
import picocli.CommandLine.Option;

/**
 * The hidden {@code --sysfs-root DIR} of the {@code setup} commands: where {@code sys/} and {@code proc/} are
 * read and written. It is {@code /} on a machine; tests point it at a fake tree in a temporary folder.
 */
final class SysfsRootOption
{
    @Option(
        names = "--sysfs-root",
        hidden = true,
        paramLabel = "DIR",
        defaultValue = "/",
        description = "Read and write sys/ and proc/ below DIR instead of /.")
    Path root;

    PciSysfs sysfs()
    {
        return new PciSysfs(root);
    }

    NvmeSetup setup()
    {
        return new NvmeSetup(sysfs());
    }
}
