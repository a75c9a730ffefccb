package io.nvmeq.examples.io;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Numbers as people type them on a command line: decimal, or hexadecimal with {@code 0x} (as nvme-cli takes
 * LBAs), and for sizes a binary suffix {@code k}, {@code m}, {@code g} (KiB, MiB, GiB). A leading zero does not
 * mean octal: {@code 010} is ten. Durations as fio takes them: a number with us, ms, s, m or h; a bare number is
 * seconds. The one parser of numbers, sizes and durations of the command line: picocli options reach it through
 * {@link NumberConverters}, fio job files directly.
 */
public final class Numbers
{
    private Numbers()
    {
    }

    /**
     * @param what names the value in the error message, e.g. "start block"
     * @throws IllegalArgumentException when {@code text} is not a number
     */
    public static long parseLong(final String text, final String what)
    {
        final String trimmed = text.trim();
        try
        {
            if (trimmed.startsWith("0x") || trimmed.startsWith("0X"))
            {
                return Long.parseUnsignedLong(trimmed.substring(2), 16);
            }
            return Long.parseLong(trimmed);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(what + " must be a number (decimal or 0x hex), not '" + text + "'");
        }
    }

    /**
     * A byte count: a number as in {@link #parseLong}, optionally followed by k, m or g (powers of 1024).
     *
     * @throws IllegalArgumentException when the text is not a size or the size overflows
     */
    public static long parseSize(final String text, final String what)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        final boolean hex = trimmed.startsWith("0x");
        int shift = 0;
        String digits = trimmed;
        if (!hex && !trimmed.isEmpty())
        {
            final char unit = trimmed.charAt(trimmed.length() - 1);
            shift = unit == 'k' ? 10 : unit == 'm' ? 20 : unit == 'g' ? 30 : 0;
            if (shift != 0)
            {
                digits = trimmed.substring(0, trimmed.length() - 1);
            }
        }
        final long value;
        try
        {
            value = parseLong(digits, what);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(
                what + " must be a byte count such as 4096, 0x1000, 64k or 1m, not '" + text + "'");
        }
        if (value < 0 || (shift != 0 && value > (Long.MAX_VALUE >> shift)))
        {
            throw new IllegalArgumentException(what + " '" + text + "' is out of range");
        }
        return value << shift;
    }

    /**
     * A duration: a decimal number with an optional unit, us, ms, s, m or h (fio's units); a bare number is
     * seconds, as in fio. At most a day.
     *
     * @return nanoseconds
     * @throws IllegalArgumentException when the text is not a duration
     */
    public static long parseDuration(final String text, final String what)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length() && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '.'))
        {
            split++;
        }
        final String unit = t.substring(split);
        final double value;
        try
        {
            value = Double.parseDouble(t.substring(0, split));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(what + " '" + text + "' is not a time: use a number with us, ms, s, " +
                "m or h (a bare number is seconds), e.g. 500ms or 30s");
        }
        final long unitNs = switch (unit)
        {
            case "us" -> TimeUnit.MICROSECONDS.toNanos(1);
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(1);
            case "", "s", "sec" -> TimeUnit.SECONDS.toNanos(1);
            case "m", "min" -> TimeUnit.MINUTES.toNanos(1);
            case "h" -> TimeUnit.HOURS.toNanos(1);
            default -> throw new IllegalArgumentException(what + " '" + text + "': unknown time unit '" + unit +
                "'; use us, ms, s, m or h");
        };
        final double ns = value * unitNs;
        if (ns > TimeUnit.DAYS.toNanos(1))
        {
            throw new IllegalArgumentException(what + " '" + text + "' is longer than a day");
        }
        return Math.round(ns);
    }
}
