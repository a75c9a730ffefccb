package io.nvmeq.hw.emu;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.nvmeq.hw.device.BadDeviceUriException;
import io.nvmeq.hw.device.DeviceUriText;
import io.nvmeq.hw.spec.Status;

/** The grammar of {@code emu:} device URIs (see {@link EmulatedUri}); every refusal is a {@link BadDeviceUriException}. */
final class EmulatorUriParser
{
    static final List<String> EMU_KEYS =
        List.of("size", "bs", "namespaces", "queues", "entries", "mdts", "serial", "model", "mappings",
            "latency", "channels", "faults", "device-threads");

    /** Identify SN and MN field widths (ASCII, space padded). */
    private static final int SERIAL_MAX = 20;
    private static final int MODEL_MAX = 40;

    private final DeviceUriText text;

    EmulatorUriParser(final DeviceUriText text)
    {
        this.text = text;
    }

    EmulatedUri parse()
    {
        final String rest = text.rest();
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
            builder.file(text.absolutePath(target.substring("file:".length()), "emu:file"));
        }
        else
        {
            throw text.bad("unknown emulated backend '" + target + "': use memory, null or file:/absolute/path");
        }
        if (question >= 0)
        {
            emulatorParameters(rest.substring(question + 1), builder);
        }
        try
        {
            return new EmulatedUri(builder.build());
        }
        catch (final IllegalArgumentException ex)
        {
            throw text.bad(ex.getMessage());
        }
    }

    private void emulatorParameters(final String query, final EmulatorConfig.Builder builder)
    {
        if (query.isEmpty())
        {
            throw text.bad("nothing after '?': give parameters as key=value joined by '&', or drop the '?'");
        }
        final Set<String> seen = new HashSet<>();
        for (final String parameter : query.split("&", -1))
        {
            final int equals = parameter.indexOf('=');
            if (parameter.isEmpty())
            {
                throw text.bad("empty parameter (a stray '&')");
            }
            if (equals <= 0)
            {
                throw text.bad("parameter '" + parameter + "' is not key=value");
            }
            final String key = parameter.substring(0, equals);
            final String value = parameter.substring(equals + 1);
            if (!EMU_KEYS.contains(key))
            {
                throw text.bad("unknown parameter '" + key + "': known are " + String.join(", ", EMU_KEYS));
            }
            if (!seen.add(key))
            {
                throw text.bad("parameter '" + key + "' is given twice");
            }
            if (value.isEmpty())
            {
                throw text.bad("parameter '" + key + "' has no value");
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
                throw text.bad(key + "=" + value + ": " + ex.getMessage());
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
                final int blockSize = text.integer(key, value);
                if (blockSize != 512 && blockSize != 4096)
                {
                    throw text.bad("bs=" + value + ": the block size must be 512 or 4096");
                }
                builder.blockSize(blockSize);
                break;
            case "namespaces":
                builder.namespaces(text.integer(key, value));
                break;
            case "queues":
                builder.maxIoQueuePairs(text.integer(key, value));
                break;
            case "entries":
                builder.maxQueueEntries(text.integer(key, value));
                break;
            case "mdts":
                builder.mdts(text.integer(key, value));
                break;
            case "serial":
                builder.serial(text(key, value, SERIAL_MAX));
                break;
            case "model":
                builder.model(text(key, value, MODEL_MAX));
                break;
            case "mappings":
                builder.mappingLimit(text.integer(key, value));
                break;
            case "latency":
                latency(value, builder);
                break;
            case "channels":
                builder.channels(text.integer(key, value));
                break;
            case "device-threads":
                builder.deviceThreads(text.integer(key, value));
                break;
            case "faults":
                faults(value, builder);
                break;
            default:
                throw text.bad("unknown parameter '" + key + "'");
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
                throw text.bad("latency item '" + item + "' is not read|write|flush|all:TIME");
            }
            final String kind = item.substring(0, colon);
            final ServiceTime time = serviceTime(item.substring(colon + 1));
            switch (kind)
            {
                case "read" -> builder.readLatency(time);
                case "write" -> builder.writeLatency(time);
                case "flush" -> builder.flushLatency(time);
                case "all" -> builder.readLatency(time).writeLatency(time).flushLatency(time);
                default -> throw text.bad("latency item '" + item + "': '" + kind + "' is not read, write, flush or all");
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
                throw text.bad("latency " + spec + ": the upper bound is below the lower one");
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
            throw text.bad(key + ": time '" + value + "' needs a unit: ns, us, ms or s");
        }
        final long number = text.decimal(key, digits);
        if (number > Long.MAX_VALUE / unit / 4)
        {
            throw text.bad(key + ": time '" + value + "' is too large");
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
                    final long seed = parts.length == 3 ? text.decimal("faults", parts[2]) : 1;
                    builder.fault(new FaultSpec.RandomErrors(rate, faultStatus(kind.endsWith("-dnr")), seed));
                }
                case "fail", "fail-dnr" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.FailNext(text.integer("faults", parts[1]), faultStatus(kind.endsWith("-dnr"))));
                }
                case "drop" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.DropCompletions(text.integer("faults", parts[1])));
                }
                case "delay" ->
                {
                    arity(item, parts, 3, 3);
                    final long delay = nanos("faults", parts[2]);
                    if (delay == 0)
                    {
                        throw text.bad("faults item '" + item + "': the delay must be positive");
                    }
                    builder.fault(new FaultSpec.DelayCompletions(text.integer("faults", parts[1]), delay));
                }
                case "admin" ->
                {
                    arity(item, parts, 2, 3);
                    final String hex = parts[1].startsWith("0x") ? parts[1].substring(2) : parts[1];
                    final int opcode = text.hex("faults admin opcode", hex.length() == 1 ? "0" + hex : hex, 2, 0xff);
                    final int count = parts.length == 3 ? text.integer("faults", parts[2]) : 1;
                    builder.fault(new FaultSpec.FailAdmin(opcode, faultStatus(false), count));
                }
                case "iommu" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.IommuFaults(text.integer("faults", parts[1])));
                }
                case "cfs" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.FatalAfter(text.decimal("faults", parts[1])));
                }
                case "removal" ->
                {
                    arity(item, parts, 2, 2);
                    builder.fault(new FaultSpec.RemovalAfter(text.decimal("faults", parts[1])));
                }
                default -> throw text.bad("faults item '" + item + "': unknown kind '" + kind
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
            throw text.bad("faults item '" + item + "' has " + (parts.length - 1) + " argument(s), expected "
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
            throw text.bad("faults item '" + item + "': rate '" + value + "' is not a number");
        }
        if (!(rate >= 0 && rate <= 1) || value.indexOf('x') >= 0 || value.indexOf('X') >= 0)
        {
            throw text.bad("faults item '" + item + "': the rate must be within 0..1");
        }
        return rate;
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
        final long number = text.decimal(key, digits);
        if (number > (Long.MAX_VALUE >> shift))
        {
            throw text.bad(key + "=" + value + " is too large");
        }
        if (number == 0)
        {
            throw text.bad(key + "=" + value + ": the size must be positive");
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
                final int high = i + 2 < value.length() ? DeviceUriText.hexDigit(value.charAt(i + 1)) : -1;
                final int low = high >= 0 ? DeviceUriText.hexDigit(value.charAt(i + 2)) : -1;
                if (low < 0)
                {
                    throw text.bad(key + "=" + value + ": '%' must be followed by two hex digits");
                }
                c = (char)(high << 4 | low);
                i += 2;
            }
            if (c < 0x20 || c > 0x7e)
            {
                throw text.bad(key + "=" + value + ": only printable ASCII is allowed (Identify fields are ASCII)");
            }
            decoded.append(c);
        }
        if (decoded.length() > max)
        {
            throw text.bad(key + "=" + value + ": at most " + max + " characters (the Identify field width)");
        }
        return decoded.toString();
    }
}
