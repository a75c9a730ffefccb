package io.nvmeq.examples.bench;

import java.util.Locale;

/** Numbers as fio prints them: counts with k/M suffixes, bandwidth in binary and decimal units. */
final class FioFormat
{
    private FioFormat()
    {
    }

    /** A count such as IOPS: {@code 8123}, {@code 12.3k}, {@code 103k}, {@code 1.25M}. */
    static String count(final double value)
    {
        if (value < 10_000)
        {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value < 1_000_000)
        {
            return scaled(value / 1e3) + "k";
        }
        return scaled(value / 1e6) + "M";
    }

    /** Bytes per second in binary units, e.g. {@code 402MiB/s}. */
    static String bandwidth(final double bytesPerSecond)
    {
        return bytes(bytesPerSecond, 1024, "iB") + "/s";
    }

    /** Bytes per second in decimal units, e.g. {@code 421MB/s}. */
    static String bandwidthDecimal(final double bytesPerSecond)
    {
        return bytes(bytesPerSecond, 1000, "B") + "/s";
    }

    /** A byte count in binary units, e.g. {@code 962MiB}. */
    static String size(final double bytes)
    {
        return bytes(bytes, 1024, "iB");
    }

    private static String bytes(final double value, final int base, final String suffix)
    {
        final String[] units = {"", "K", "M", "G", "T"};
        double scaled = value;
        int unit = 0;
        while (scaled >= 10 * base && unit < units.length - 1)
        {
            scaled /= base;
            unit++;
        }
        if (unit == 0)
        {
            return String.format(Locale.ROOT, "%.0fB", scaled);
        }
        return String.format(Locale.ROOT, "%.0f", scaled) + units[unit] + suffix;
    }

    /** Three significant digits for 1..999. */
    private static String scaled(final double value)
    {
        if (value >= 100)
        {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 10)
        {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
