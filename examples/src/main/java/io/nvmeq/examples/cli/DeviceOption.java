package io.nvmeq.examples.cli;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.hw.device.DeviceUri;
import picocli.CommandLine.Option;

/** {@code --device URI}, required: which controller a command talks to. */
final class DeviceOption
{
    @Option(
        names = "--device",
        required = true,
        paramLabel = "URI",
        description = {
            "The device, one of:",
            "  emu:memory[?size=64m&...]  emulated, data in memory",
            "  emu:file:/abs/path[?...]   emulated, data in a file",
            "  emu:null[?...]             emulated, moves no data",
            "  nvme://DDDD:BB:DD.F/NSID   PCI device on vfio-pci",
            "emu:memory data lives only as long as this process; use emu:file: to keep it between commands."
        })
    String uri;

    /**
     * Opens the device. The URI is parsed first, so that a malformed one is refused at once with its typed
     * {@link io.nvmeq.hw.device.BadDeviceUriException}, before an actor system is started for it.
     */
    Nvmeq open()
    {
        DeviceUri.parse(uri);
        return Nvmeq.open(uri);
    }
}
