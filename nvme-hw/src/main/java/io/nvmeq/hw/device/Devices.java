package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatedController;
import io.nvmeq.hw.vfio.VfioDevice;

/** Opens the NVMe device a URI names (see {@link DeviceUri}). */
public final class Devices
{
    private Devices()
    {
    }

    /**
     * Opens {@code uri}: {@code emu:...} gives an emulated controller; {@code nvme://...} the PCI
     * controller through VFIO ({@link VfioDevice}).
     *
     * @throws BadDeviceUriException      if the URI does not parse, or names no NVMe device ({@code posix:})
     * @throws DeviceUnavailableException if the URI names a device this machine cannot open as it is set up;
     *                                    for {@code nvme://} it is an {@link io.nvmeq.hw.vfio.VfioSetupException}
     *                                    whose {@code problem()} says which setup step is missing
     */
    public static NvmeDevice open(final String uri)
    {
        final DeviceUri parsed = DeviceUri.parse(uri);
        if (parsed instanceof DeviceUri.Emulated emulated)
        {
            return EmulatedController.create(emulated.config(), uri);
        }
        if (parsed instanceof DeviceUri.Vfio vfio)
        {
            return VfioDevice.open(vfio, uri);
        }
        throw new BadDeviceUriException(uri, "posix: names a file or block device read through the kernel, " +
            "not an NVMe device; only benchmarks open it, as their baseline");
    }
}
