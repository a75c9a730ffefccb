package io.nvmeq.hw.device;

import io.nvmeq.hw.emu.EmulatorConfig;
import io.nvmeq.hw.emu.FaultSpec;
import io.nvmeq.hw.emu.LatencyModel;
import io.nvmeq.hw.emu.ServiceTime;
import io.nvmeq.hw.spec.Status;

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
        List.of("size", "bs", "namespaces", "queues", "entries", "mdts", "serial", "model", "mappings",
            "latency", "channels", "faults");

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
            try
            {
                applyParameter(key, value, builder);
            }
            catch (final BadDeviceUriException ex)
            {
                throw ex;
            }
            catch (final IllegalArgumentException ex)
            {
                // A range the config checks as the builder takes the value (channels, fault counts).
                throw bad(key + "=" + value + ": " + ex.getMessage());
            }
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
            case "latency":
                latency(value, builder);
                break;
            case "channels":
                builder.channels(integer(key, value));
                break;
            case "faults":
                faults(value, builder);
                break;
            default:
                throw bad("unknown parameter '" + key + "'");
        }
    }

    /** {@code read:80us,write:20us,flush:1ms}; a time is fixed, {@code MIN-MAX} uniform or {@code exp:MEAN}. */
    private void latency(final String value, final EmulatorConfig.Builder builder)
    {
        for (final String item : value.split(",", -1))
        {
            final int colon = item.indexOf(':');
            if (colon <= 0)
            {
                throw bad("latency item '" + item + "' is not read|write|flush|all:TIME");
            }
            final String kind = item.substring(0, colon);
            final ServiceTime time = serviceTime(item.substring(colon + 1));
            switch (kind)
            {
                case "read" -> builder.readLatency(time);
                case "write" -> builder.writeLatency(time);
                case "flush" -> builder.flushLatency(time);
                case "all" -> builder.readLatency(time).writeLatency(time).flushLatency(time);
                default -> throw bad("latency item '" + item + "': '" + kind + "' is not read, write, flush or all");
            }
        }
    }

    private ServiceTime serviceTime(final String spec)
    {
        if (spec.startsWith("exp:"))
        {
            return ServiceTime.exponential(nanos("latency", spec.substring(4)));
        }
        final int dash = spec.indexOf('-');
        if (dash > 0)
        {
            final long min = nanos("latency", spec.substring(0, dash));
            final long max = nanos("latency", spec.substring(dash + 1));
            if (max < min)
            {
                throw bad("latency " + spec + ": the upper bound is below the lower one");
            }
            return ServiceTime.uniform(min, max);
        }
        return ServiceTime.fixed(nanos("latency", spec));
    }

    /** A decimal time with a unit: ns, us, ms or s. */
    private long nanos(final String key, final String value)
    {
        final long unit;
        final String digits;
        if (value.endsWith("ns"))
        {
            unit = 1;
            digits = value.substring(0, value.length() - 2);
        }
        else if (value.endsWith("us"))
        {
            unit = 1_000;
            digits = value.substring(0, value.length() - 2);
        }
        else if (value.endsWith("ms"))
        {
            unit = 1_000_000;
            digits = value.substring(0, value.length() - 2);
        }
        else if (value.endsWith("s"))
        {
            unit = 1_000_000_000;
            digits = value.substring(0, value.length() - 1);
        }
        else
        {
            throw bad(key + ": time '" + value + "' needs a unit: ns, us, ms or s");
        }
        final long number = decimal(key, digits);
        if (number > Long.MAX_VALUE / unit / 4)
        {
            throw bad(key + ": time '" + value + "' is too large");
        }
        return number * unit;
    }

    /**
     * {@code faults=ITEM,ITEM...}: random:RATE[:SEED], random-dnr:RATE[:SEED], fail:N, fail-dnr:N,
     * drop:N, delay:N:TIME, admin:OPCODE[:N] (hex opcode), iommu:N, cfs:N, removal:N.
     */
    private void faults(final String value, final EmulatorConfig.Builder builder)
    {
        for (final String item : value.split(",", -1))
        {
            final String[] parts = item.split(":", -1);
            final String kind = parts[0];
            switch (kind)
            {
                case "random", "random-dnr" ->
                {
                    arity(item, parts, 2, 3);
                    final double rate = rate(item, parts[1]);
                    final long seed = parts.length == 3 ? decimal("faults", parts[2]) : 1;
                    builder.fault(new FaultSpec.RandomErrors(rate, faultStatus(kind.endsWith("-dnr")), seed));
                }
                case "fail", "fail-dnr" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.FailNext(integer("faults", parts[1]), faultStatus(kind.endsWith("-dnr"))));
                }
                case "drop" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.DropCompletions(integer("faults", parts[1])));
                }
                case "delay" ->
                {
                    arity(item, parts, 3, 3);
                    final long delay = nanos("faults", parts[2]);
                    if (delay == 0)
                    {
                        throw bad("faults item '" + item + "': the delay must be positive");
                    }
                    builder.fault(new FaultSpec.DelayCompletions(integer("faults", parts[1]), delay));
                }
                case "admin" ->
                {
                    arity(item, parts, 2, 3);
                    final String hex = parts[1].startsWith("0x") ? parts[1].substring(2) : parts[1];
                    final int opcode = hex("faults admin opcode", hex.length() == 1 ? "0" + hex : hex, 2, 0xff);
                    final int count = parts.length == 3 ? integer("faults", parts[2]) : 1;
                    builder.fault(new FaultSpec.FailAdmin(opcode, faultStatus(false), count));
                }
                case "iommu" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.IommuFaults(integer("faults", parts[1])));
                }
                case "cfs" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.FatalAfter(decimal("faults", parts[1])));
                }
                case "removal" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.RemovalAfter(decimal("faults", parts[1])));
                }
                default -> throw bad("faults item '" + item + "': unknown kind '" + kind
                    + "' (known: random, random-dnr, fail, fail-dnr, drop, delay, admin, iommu, cfs, removal)");
            }
        }
    }

    /** Injected errors are Internal Error (06h): retryable, or with Do Not Retry. */
    private static int faultStatus(final boolean doNotRetry)
    {
        return doNotRetry ? Status.withDnr(Status.INTERNAL_ERROR) : Status.INTERNAL_ERROR;
    }

    private void arity(final String item, final String[] parts, final int min, final int max)
    {
        if (parts.length < min || parts.length > max)
        {
            throw bad("faults item '" + item + "' has " + (parts.length - 1) + " argument(s), expected "
                + (min == max ? String.valueOf(min - 1) : (min - 1) + " to " + (max - 1)));
        }
    }

    private double rate(final String item, final String value)
    {
        final double rate;
        try
        {
            rate = Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw bad("faults item '" + item + "': rate '" + value + "' is not a number");
        }
        if (!(rate >= 0 && rate <= 1) || value.indexOf('x') >= 0 || value.indexOf('X') >= 0)
        {
            throw bad("faults item '" + item + "': the rate must be within 0..1");
        }
        return rate;
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
