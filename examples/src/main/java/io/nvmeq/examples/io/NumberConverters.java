package io.nvmeq.examples.io;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli's door to {@link Numbers}: every numeric, size and time option of the command line converts through
 * one of these, so that {@code 4k}, {@code 0x1000} and {@code 500ms} mean the same in every command.
 */
public final class NumberConverters
{
    private NumberConverters()
    {
    }

    /** Decimal or 0x hexadecimal. */
    public static final class Number implements ITypeConverter<Long>
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

    /** Bytes: 4096, 0x1000, 4k, 64m, 1g. */
    public static final class Size implements ITypeConverter<Long>
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

    /** A time in nanoseconds: 500ms, 5s, 1m; a bare number is seconds. */
    public static final class Duration implements ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return Numbers.parseDuration(value, "time");
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }
}
