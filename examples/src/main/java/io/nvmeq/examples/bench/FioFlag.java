package io.nvmeq.examples.bench;

import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** fio's boolean options: a bare flag, or =1/=0 (true/false also accepted). */
public final class FioFlag implements ITypeConverter<Boolean>
{
    @Override
    public Boolean convert(final String value)
    {
        return switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new TypeConversionException("a flag is 1 or 0, not '" + value + "'");
        };
    }
}
