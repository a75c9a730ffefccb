package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatorConfig;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The grammar behind {@link DeviceUri#parse(String)}; every refusal is a {@link BadDeviceUriException}. */
final class DeviceUriParser
{
    static final List<String> EMU_KEYS =
        List.of("size", "bs", "namespaces", "queues", "entries", "mdts", "serial", "model", "mappings");

    /** Identify SN and MN field widths (ASCII, space padded). */
    private static final int SERIAL_MAX = 20;
    private static final int MODEL_MAX = 40;

    private final String uri;

    private DeviceUriParser(final String uri)
    {
        this.uri = uri;
    }

    static DeviceUri parse(final String uri)
    {
        if (uri == null || uri.isEmpty())
        {
            throw new BadDeviceUriException(String.valueOf(uri), "no device URI given");
        }
        return new DeviceUriParser(uri).parse();
    }

    private DeviceUri parse()
    {
        final int colon = uri.indexOf(':');
        if (colon <= 0)
        {
            throw bad("no scheme: a device URI starts with emu:, nvme:// or posix:");
        }
        final String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        final String rest = uri.substring(colon + 1);
        switch (scheme)
        {
            case "emu":
                return emulated(rest);
            case "nvme":
                return vfio(rest);
            case "posix":
                return new DeviceUri.Posix(absolutePath(rest, "posix"));
            default:
                throw bad("unknown scheme '" + uri.substring(0, colon) + "'");
        }
    }

    private BadDeviceUriException bad(final String problem)
    {
        return new BadDeviceUriException(uri, problem);
    }

    private Path absolutePath(final String path, final String what)
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

    private DeviceUri emulated(final String rest)
    {
        final int question = rest.indexOf('?');
        final String target = question < 0 ? rest : rest.substring(0, question);
        final EmulatorConfig.Builder builder = EmulatorConfig.builder();
        if (target.isEmpty() || target.equals("memory"))
        {
            builder.backend(EmulatorConfig.Backend.MEMORY);
        }
        else if (target.equals("null"))
        {
            builder.backend(EmulatorConfig.Backend.NULL);
        }
        else if (target.startsWith("file:"))
        {
            builder.file(absolutePath(target.substring("file:".length()), "emu:file"));
        }
        else
        {
            throw bad("unknown emulated backend '" + target + "': use memory, null or file:/absolute/path");
        }
        if (question >= 0)
        {
            emulatorParameters(rest.substring(question + 1), builder);
        }
        try
        {
            return new DeviceUri.Emulated(builder.build());
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(ex.getMessage());
        }
    }

    private void emulatorParameters(final String query, final EmulatorConfig.Builder builder)
    {
        if (query.isEmpty())
        {
            throw bad("nothing after '?': give parameters as key=value joined by '&', or drop the '?'");
        }
        final Set<String> seen = new HashSet<>();
        for (final String parameter : query.split("&", -1))
        {
            final int equals = parameter.indexOf('=');
            if (parameter.isEmpty())
            {
                throw bad("empty parameter (a stray '&')");
            }
            if (equals <= 0)
            {
                throw bad("parameter '" + parameter + "' is not key=value");
            }
            final String key = parameter.substring(0, equals);
            final String value = parameter.substring(equals + 1);
            if (!EMU_KEYS.contains(key))
            {
                throw bad("unknown parameter '" + key + "': known are " + String.join(", ", EMU_KEYS));
            }
            if (!seen.add(key))
            {
                throw bad("parameter '" + key + "' is given twice");
            }
            if (value.isEmpty())
            {
                throw bad("parameter '" + key + "' has no value");
            }
            applyParameter(key, value, builder);
        }
    }

    private void applyParameter(final String key, final String value, final EmulatorConfig.Builder builder)
    {
        switch (key)
        {
            case "size":
                builder.namespaceBytes(byteSize(key, value));
                break;
            case "bs":
                final int blockSize = integer(key, value);
                if (blockSize != 512 && blockSize != 4096)
                {
                    throw bad("bs=" + value + ": the block size must be 512 or 4096");
                }
                builder.blockSize(blockSize);
                break;
            case "namespaces":
                builder.namespaces(integer(key, value));
                break;
            case "queues":
                builder.maxIoQueuePairs(integer(key, value));
                break;
            case "entries":
                builder.maxQueueEntries(integer(key, value));
                break;
            case "mdts":
                builder.mdts(integer(key, value));
                break;
            case "serial":
                builder.serial(text(key, value, SERIAL_MAX));
                break;
            case "model":
                builder.model(text(key, value, MODEL_MAX));
                break;
            case "mappings":
                builder.mappingLimit(integer(key, value));
                break;
            default:
                throw bad("unknown parameter '" + key + "'");
        }
    }

    private int integer(final String key, final String value)
    {
        final long number = decimal(key, value);
        if (number > Integer.MAX_VALUE)
        {
            throw bad(key + "=" + value + " is too large");
        }
        return (int)number;
    }

    /** Digits only: no sign, no spaces, no hex. */
    private long decimal(final String key, final String digits)
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

    /** A decimal count of bytes with an optional binary suffix k, m, g or t (either case). */
    private long byteSize(final String key, final String value)
    {
        final char last = Character.toLowerCase(value.charAt(value.length() - 1));
        final int shift = switch (last)
        {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        final String digits = shift == 0 ? value : value.substring(0, value.length() - 1);
        final long number = decimal(key, digits);
        if (number > (Long.MAX_VALUE >> shift))
        {
            throw bad(key + "=" + value + " is too large");
        }
        if (number == 0)
        {
            throw bad(key + "=" + value + ": the size must be positive");
        }
        return number << shift;
    }

    /** Printable ASCII after %XX decoding, at most {@code max} characters (the Identify field width). */
    private String text(final String key, final String value, final int max)
    {
        final StringBuilder decoded = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++)
        {
            char c = value.charAt(i);
            if (c == '%')
            {
                final int high = i + 2 < value.length() ? hexDigit(value.charAt(i + 1)) : -1;
                final int low = high >= 0 ? hexDigit(value.charAt(i + 2)) : -1;
                if (low < 0)
                {
                    throw bad(key + "=" + value + ": '%' must be followed by two hex digits");
                }
                c = (char)(high << 4 | low);
                i += 2;
            }
            if (c < 0x20 || c > 0x7e)
            {
                throw bad(key + "=" + value + ": only printable ASCII is allowed (Identify fields are ASCII)");
            }
            decoded.append(c);
        }
        if (decoded.length() > max)
        {
            throw bad(key + "=" + value + ": at most " + max + " characters (the Identify field width)");
        }
        return decoded.toString();
    }

    private DeviceUri vfio(final String rest)
    {
        if (!rest.startsWith("//"))
        {
            throw bad("nvme: must be followed by //, as in nvme://0000:44:00.0/1");
        }
        final String body = rest.substring(2);
        final int slash = body.indexOf('/');
        final String address = slash < 0 ? body : body.substring(0, slash);
        final String[] fields = address.split(":", -1);
        if (fields.length == 2 && fields[1].indexOf('.') >= 0)
        {
            throw bad("PCI address '" + address + "' has no domain: write 0000:" + address +
                " (lspci -D shows the full address)");
        }
        if (fields.length != 3)
        {
            throw bad("PCI address '" + address + "' is not DDDD:BB:DD.F");
        }
        final int dot = fields[2].indexOf('.');
        if (dot < 0)
        {
            throw bad("PCI address '" + address + "' has no function: write " + address + ".0 for function 0");
        }
        final int domain = hex("PCI domain", fields[0], 4, 0xffff);
        final int bus = hex("PCI bus", fields[1], 2, 0xff);
        final int device = hex("PCI device", fields[2].substring(0, dot), 2, 0x1f);
        final int function = hex("PCI function", fields[2].substring(dot + 1), 1, 7);
        int namespace = 1;
        if (slash >= 0)
        {
            final String ns = body.substring(slash + 1);
            if (ns.isEmpty() || ns.indexOf('/') >= 0)
            {
                throw bad("namespace '" + ns + "' after the PCI address is not a number");
            }
            final long number = decimal("namespace", ns);
            if (number < 1 || number > Integer.MAX_VALUE)
            {
                throw bad("namespace " + ns + " is out of range: namespace ids start at 1");
            }
            namespace = (int)number;
        }
        return new DeviceUri.Vfio(domain, bus, device, function, namespace);
    }

    private int hex(final String what, final String digits, final int width, final int max)
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
    private static int hexDigit(final char c)
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
