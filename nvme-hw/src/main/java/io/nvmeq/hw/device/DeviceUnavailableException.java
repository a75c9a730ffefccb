package io.nvmeq.hw.device;

/**
 * A well-formed device URI naming a device that cannot be opened here, e.g. a VFIO device on a
 * machine or build without the VFIO backend. The message says why and what would make it available.
 */
public class DeviceUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String uri;

    public DeviceUnavailableException(final String uri, final String reason)
    {
        super("cannot open device '" + uri + "': " + reason);
        this.uri = uri;
    }

    /** The URI as given. */
    public String uri()
    {
        return uri;
    }
}
