package io.nvmeq.hw.device;

import java.util.List;

/**
 * One kind of device URI and the backend that opens it: the emulated controller ({@code emu:}), VFIO
 * ({@code nvme://}), the kernel baseline ({@code posix:}). Providers are found with
 * {@link java.util.ServiceLoader}: a jar adds a scheme by naming its implementation in
 * {@code META-INF/services/io.nvmeq.hw.device.DeviceProvider}, and {@link DeviceUri#parse} and
 * {@link Devices#open} then know it without naming it.
 */
public interface DeviceProvider
{
    /** The URI scheme, lower case, without the colon: {@code emu}, {@code nvme}, {@code posix}. */
    String scheme();

    /** How a URI of this scheme starts, as error messages show it: {@code emu:}, {@code nvme://}. */
    default String prefix()
    {
        return scheme() + ":";
    }

    /**
     * The accepted forms of this scheme, one line each, indented by two spaces, as listed in every
     * {@link BadDeviceUriException}; continuation lines are indented further.
     */
    List<String> forms();

    /**
     * Parses the part of {@code uri} after the scheme.
     *
     * @throws BadDeviceUriException (made with {@link DeviceUriText#bad}) naming the bad part
     */
    DeviceUri parse(DeviceUriText uri);

    /**
     * Opens the device {@code parsed} (which this provider's {@link #parse} made) names.
     *
     * @param uri the URI as given, which the device reports as its own
     * @throws BadDeviceUriException      if the URI names no NVMe device
     * @throws DeviceUnavailableException if the device cannot be opened here as this machine is set up
     */
    NvmeDevice open(DeviceUri parsed, String uri);
}
