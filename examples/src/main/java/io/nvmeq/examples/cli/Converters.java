package io.nvmeq.examples.cli;

import io.nvmeq.examples.io.DataPattern;
import io.nvmeq.examples.io.Numbers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters: numbers as nvme-cli users type them (decimal or 0x hex), sizes with k/m/g. */
final class Converters
{
    private Converters()
    {
    }

    static final class Number implements ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return Numbers.parseLong(value, "value");
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    static final class Size implements ITypeConverter<Long>
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
