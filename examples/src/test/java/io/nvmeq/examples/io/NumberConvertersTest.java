package io.nvmeq.examples.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The one parser of durations (fio's units) and the picocli converters every command's options go through. */
class NumberConvertersTest
{
    @Test
    void durationsInFiosUnitsABareNumberBeingSeconds()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(5), Numbers.parseDuration("5", "t"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), Numbers.parseDuration("500ms", "t"));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(80), Numbers.parseDuration("80us", "t"));
        assertEquals(TimeUnit.MINUTES.toNanos(2), Numbers.parseDuration("2m", "t"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), Numbers.parseDuration("1.5s", "t"));
        assertEquals(TimeUnit.HOURS.toNanos(1), Numbers.parseDuration("1h", "t"));
        final IllegalArgumentException unit = assertThrows(IllegalArgumentException.class,
            () -> Numbers.parseDuration("3parsecs", "--runtime"));
        assertTrue(unit.getMessage().contains("--runtime '3parsecs': unknown time unit 'parsecs'"), unit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseDuration("ms", "t"));
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseDuration("2d", "t"));
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseDuration("25h", "t"));
    }

    @Test
    void theConvertersAnswerPicocliWithItsOwnException()
    {
        assertEquals(4096L, new NumberConverters.Size().convert("4k"));
        assertEquals(0x1000L, new NumberConverters.Number().convert("0x1000"));
        assertEquals(TimeUnit.SECONDS.toNanos(2), new NumberConverters.Duration().convert("2s"));
        assertThrows(TypeConversionException.class, () -> new NumberConverters.Size().convert("4q"));
        assertThrows(TypeConversionException.class, () -> new NumberConverters.Duration().convert("soon"));
        assertThrows(TypeConversionException.class, () -> new NumberConverters.Number().convert("x12"));
    }
}
