package io.nvmeq.hw.device;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A device URI split at its first colon into scheme and rest, with the lexical helpers every
 * provider's grammar uses; each refusal is a {@link BadDeviceUriException} for the whole URI.
 */
public final class DeviceUriText
{
    private final String uri;
    private final String scheme;
    private final String rest;

    private DeviceUriText(final String uri, final String scheme, final String rest)
    {
        this.uri = uri;
        this.scheme = scheme;
        this.rest = rest;
    }

    /** Splits {@code uri}; refuses an empty one or one without a scheme. */
    static DeviceUriText split(final String uri)
    {
        if (uri == null || uri.isEmpty())
        {
            throw new BadDeviceUriException(String.valueOf(uri), "no device URI given");
        }
        final int colon = uri.indexOf(':');
        if (colon <= 0)
        {
            throw new BadDeviceUriException(uri, "no scheme: a device URI starts with " + DeviceProviders.prefixes());
        }
        return new DeviceUriText(uri, uri.substring(0, colon), uri.substring(colon + 1));
    }

    /** The URI as given. */
    public String uri()
    {
        return uri;
    }

    /** The scheme as given (any case). */
    public String scheme()
    {
        return scheme;
    }

    /** The scheme in lower case. */
    public String schemeLowerCase()
    {
        return scheme.toLowerCase(Locale.ROOT);
    }

    /** Everything after the scheme's colon. */
    public String rest()
    {
        return rest;
    }

    /** The error for this URI, naming what is wrong. */
    public BadDeviceUriException bad(final String problem)
    {
        return new BadDeviceUriException(uri, problem);
    }

    /** An absolute path, for the error named {@code what} (e.g. {@code posix}). */
    public Path absolutePath(final String path, final String what)
    {
        if (path.isEmpty())
        {
            throw bad(what + ": the path is missing");
        }
        if (!path.startsWith("/"))
        {
            throw bad(what + ": the path '" + path + "' is not absolute (it must start with '/')");
        }
        try
        {
            return Path.of(path);
        }
        catch (final InvalidPathException ex)
        {
            throw bad(what + ": '" + path + "' is not a valid path: " + ex.getReason());
        }
    }

    /** Decimal digits as an int. */
    public int integer(final String key, final String value)
    {
        final long number = decimal(key, value);
        if (number > Integer.MAX_VALUE)
        {
            throw bad(key + "=" + value + " is too large");
        }
        return (int)number;
    }

    /** Digits only: no sign, no spaces, no hex. */
    public long decimal(final String key, final String digits)
    {
        if (digits.isEmpty())
        {
            throw bad(key + "=" + digits + " is not a number");
        }
        long number = 0;
        for (int i = 0; i < digits.length(); i++)
        {
            final char c = digits.charAt(i);
            if (c < '0' || c > '9')
            {
                throw bad(key + "=" + digits + " is not a decimal number");
            }
            if (number > (Long.MAX_VALUE - (c - '0')) / 10)
            {
                throw bad(key + "=" + digits + " is too large");
            }
            number = number * 10 + (c - '0');
        }
        return number;
    }

    /** Exactly {@code width} hex digits, at most {@code max}. */
    public int hex(final String what, final String digits, final int width, final int max)
    {
        if (digits.length() != width)
        {
            throw bad(what + " '" + digits + "' must be exactly " + width + " hex digit" + (width > 1 ? "s" : ""));
        }
        int value = 0;
        for (int i = 0; i < width; i++)
        {
            final int digit = hexDigit(digits.charAt(i));
            if (digit < 0)
            {
                throw bad(what + " '" + digits + "' is not hexadecimal");
            }
            value = value << 4 | digit;
        }
        if (value > max)
        {
            throw bad(what + " '" + digits + "' is above " + Integer.toHexString(max));
        }
        return value;
    }

    /** 0..15 for an ASCII hex digit, else -1 (Character.digit would also take non-ASCII digits). */
    public static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }
}
