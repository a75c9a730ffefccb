package io.nvmeq.examples.cli;

import io.nvmeq.examples.io.DataPattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters of the nvme-cli commands beyond numbers and sizes (those are in io/NumberConverters). */
final class Converters
{
    private Converters()
    {
    }

    static final class Pattern implements ITypeConverter<DataPattern>
    {
        @Override
        public DataPattern convert(final String value)
        {
            try
            {
                return DataPattern.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }
}
