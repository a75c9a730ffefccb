package io.nvmeq.actors.remote;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.DeviceUriText;

/**
 * {@code remote://HOST:PORT/SERIAL/NSID}: namespace {@code NSID} of the controller with serial number
 * {@code SERIAL}, served by some member of the cluster that the node at {@code HOST:PORT} belongs to
 * ({@code nvmeq serve}). HOST:PORT is only the first contact (a seed node); the namespace itself is found
 * through the cluster's Receptionist, on whichever member serves it.
 */
public record RemoteUri(String host, int port, String serial, int nsid) implements DeviceUri
{
    public static final String SCHEME = "remote";

    /** host (a name, an IPv4 address or [IPv6]) : port / serial / nsid. */
    private static final Pattern FORM = Pattern.compile("//(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):([0-9]{1,5})/([^/?#]+)/([0-9]{1,10})");

    @Override
    public String scheme()
    {
        return SCHEME;
    }

    /** True for a URI of this scheme (any case), without checking the rest. */
    public static boolean isRemote(final String uri)
    {
        return uri != null && uri.regionMatches(true, 0, SCHEME + ":", 0, SCHEME.length() + 1);
    }

    /** The service-key name a server registers this namespace under, and a client looks it up by. */
    public String serviceName()
    {
        return serviceName(serial, nsid);
    }

    static String serviceName(final String serial, final int nsid)
    {
        return "nvmeq-namespace:" + serial + ":" + nsid;
    }

    static RemoteUri parse(final DeviceUriText text)
    {
        final Matcher matcher = FORM.matcher(text.rest());
        if (!matcher.matches())
        {
            throw text.bad("expected remote://HOST:PORT/SERIAL/NSID (e.g. remote://10.0.0.5:25520/NVMEQ0001/1)");
        }
        final int port = Integer.parseInt(matcher.group(2));
        if (port < 1 || port > 65535)
        {
            throw text.bad("port " + port + " is outside 1..65535");
        }
        final long nsid = Long.parseLong(matcher.group(4));
        if (nsid < 1 || nsid > 0xFFFF_FFFEL)
        {
            throw text.bad("namespace id " + nsid + " is outside 1..4294967294");
        }
        if (nsid > Integer.MAX_VALUE)
        {
            throw text.bad("namespace id " + nsid + " is larger than nvmeq supports (" + Integer.MAX_VALUE + ")");
        }
        return new RemoteUri(matcher.group(1), port, matcher.group(3), (int)nsid);
    }

    /** Parses {@code uri} through the device providers (so the error lists every accepted form). */
    public static RemoteUri of(final String uri)
    {
        return (RemoteUri)DeviceUri.parse(uri);
    }
}
