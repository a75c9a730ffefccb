package io.nvmeq.examples.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** fio's time values: a number with an optional unit, us, ms, s, m or h; a bare number is seconds. */
final class FioTime implements ITypeConverter<Long>
{
    /** @return nanoseconds */
    static long parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length() && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '.'))
        {
            split++;
        }
        final String number = t.substring(0, split);
        final String unit = t.substring(split);
        final double value;
        try
        {
            value = Double.parseDouble(number);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + text + "' is not a time: use a number with us, ms, s, m or h " +
                "(a bare number is seconds), e.g. 500ms or 30s");
        }
        final long unitNs = switch (unit)
        {
            case "us" -> TimeUnit.MICROSECONDS.toNanos(1);
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(1);
            case "", "s" -> TimeUnit.SECONDS.toNanos(1);
            case "m" -> TimeUnit.MINUTES.toNanos(1);
            case "h" -> TimeUnit.HOURS.toNanos(1);
            default -> throw new IllegalArgumentException("'" + text + "': unknown time unit '" + unit +
                "'; use us, ms, s, m or h");
        };
        final double ns = value * unitNs;
        if (ns > TimeUnit.DAYS.toNanos(1))
        {
            throw new IllegalArgumentException("'" + text + "' is longer than a day");
        }
        return Math.round(ns);
    }

    @Override
    public Long convert(final String value)
    {
        try
        {
            return parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }
}
