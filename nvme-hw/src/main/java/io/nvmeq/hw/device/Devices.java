package io.nvmeq.hw.device;

/** Opens the NVMe device a URI names, through the {@link DeviceProvider} of its scheme. */
public final class Devices
{
    private Devices()
    {
    }

    /**
     * Opens {@code uri}: {@code emu:...} gives an emulated controller; {@code nvme://...} the PCI
     * controller through VFIO; other schemes whatever their provider opens.
     *
     * @throws BadDeviceUriException      if the URI does not parse, or names no NVMe device ({@code posix:})
     * @throws DeviceUnavailableException if the URI names a device this machine cannot open as it is set up;
     *                                    for {@code nvme://} it is a {@code VfioSetupException} whose
     *                                    {@code problem()} says which setup step is missing
     */
    public static NvmeDevice open(final String uri)
    {
        final DeviceUri parsed = DeviceUri.parse(uri);
        return DeviceProviders.forScheme(parsed.scheme()).open(parsed, uri);
    }
}
