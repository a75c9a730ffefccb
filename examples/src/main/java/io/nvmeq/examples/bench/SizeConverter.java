package io.nvmeq.examples.bench;

import io.nvmeq.examples.io.Numbers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte counts as fio and nvme-cli users type them: 4096, 0x1000, 4k, 64m, 1g. */
final class SizeConverter implements ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        try
        {
            return Numbers.parseSize(value, "size");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }
}
