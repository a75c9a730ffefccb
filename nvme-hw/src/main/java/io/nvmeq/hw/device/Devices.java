package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatedController;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the NVMe device a URI names (see {@link DeviceUri}). */
public final class Devices
{
    private static final Path DEV_VFIO = Path.of("/dev/vfio");

    private Devices()
    {
    }

    /**
     * Opens {@code uri}: {@code emu:...} gives an emulated controller; {@code nvme://...} needs the
     * VFIO backend, which this build does not contain yet.
     *
     * @throws BadDeviceUriException      if the URI does not parse, or names no NVMe device ({@code posix:})
     * @throws DeviceUnavailableException if the URI names a device this build or machine cannot open
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
            throw new DeviceUnavailableException(uri, vfioUnavailableReason(vfio));
        }
        throw new BadDeviceUriException(uri, "posix: names a file or block device read through the kernel, " +
            "not an NVMe device; only benchmarks open it, as their baseline");
    }

    static String vfioUnavailableReason(final DeviceUri.Vfio vfio)
    {
        final String machine = Files.isDirectory(DEV_VFIO) ?
            "/dev/vfio exists on this machine" :
            "/dev/vfio does not exist on this machine either (load vfio-pci and bind " + vfio.pciAddress() +
                " to it, with the IOMMU enabled)";
        return "the VFIO backend for real NVMe controllers is not part of this build (it arrives with issue 5); " +
            machine + "; use an emu: URI meanwhile, e.g. " + DeviceUri.DEFAULT;
    }
}
