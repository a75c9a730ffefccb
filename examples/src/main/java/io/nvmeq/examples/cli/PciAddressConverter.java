package io.nvmeq.examples.cli;

import java.util.Locale;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A PCI function address as {@code lspci -D} prints it, {@code 0000:44:00.0}; the short form {@code 44:00.0}
 * means PCI domain 0. Checked before it is joined to a sysfs path, so that no argument can reach outside
 * {@code /sys/bus/pci/devices}.
 */
final class PciAddressConverter implements ITypeConverter<String>
{
    private static final Pattern FULL = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");
    private static final Pattern SHORT = Pattern.compile("[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    @Override
    public String convert(final String value)
    {
        final String address = value.toLowerCase(Locale.ROOT);
        if (FULL.matcher(address).matches())
        {
            return address;
        }
        if (SHORT.matcher(address).matches())
        {
            return "0000:" + address;
        }
        throw new TypeConversionException("'" + value + "' is not a PCI address: expected DDDD:BB:DD.F as " +
            "'lspci -D' prints it, e.g. 0000:44:00.0");
    }
}
