package io.nvmeq.actors.remote;

import java.util.List;

import io.nvmeq.hw.device.DeviceProvider;
import io.nvmeq.hw.device.DeviceUnavailableException;
import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.DeviceUriText;
import io.nvmeq.hw.device.NvmeDevice;

/**
 * The {@code remote://} scheme in the device-URI grammar, so that every place that checks a device URI
 * accepts it. A remote namespace is no local NVMe device: it is opened with {@code Nvmeq.open} (which
 * recognises the scheme) or {@link RemoteNvmeq#open}, never through {@link #open} (which refuses, saying so:
 * the raw engine, for one, cannot drive it).
 */
public final class RemoteDeviceProvider implements DeviceProvider
{
    @Override
    public String scheme()
    {
        return RemoteUri.SCHEME;
    }

    @Override
    public String prefix()
    {
        return RemoteUri.SCHEME + "://";
    }

    @Override
    public List<String> forms()
    {
        return List.of("  remote://HOST:PORT/SERIAL/NSID   namespace NSID of controller SERIAL, served by nvmeq serve",
            "      in the cluster that HOST:PORT belongs to");
    }

    @Override
    public DeviceUri parse(final DeviceUriText uri)
    {
        return RemoteUri.parse(uri);
    }

    @Override
    public NvmeDevice open(final DeviceUri parsed, final String uri)
    {
        throw new DeviceUnavailableException(uri, "a namespace served over the network is no local device: " +
            "open it with Nvmeq.open or RemoteNvmeq.open");
    }
}
