package io.nvmeq.examples.cli;

import io.nvmeq.actors.Nvmeq;
import picocli.CommandLine.Option;

/** {@code --device URI}, required: which controller a command talks to. */
final class DeviceOption
{
    @Option(
        names = "--device",
        required = true,
        paramLabel = "URI",
        description = {
            "The device: emu:memory[?size=64m&bs=512&...], emu:null, emu:file:/abs/path[?...] (emulated), "
                + "or nvme://DDDD:BB:DD.F/NSID (VFIO).",
            "Data on emu:memory lives only as long as this process; use emu:file: to keep it between commands."
        })
    String uri;

    Nvmeq open()
    {
        return Nvmeq.open(uri);
    }
}
