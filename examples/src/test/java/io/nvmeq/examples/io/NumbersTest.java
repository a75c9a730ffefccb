package io.nvmeq.examples.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NumbersTest
{
    @Test
    void readsDecimalAndHexButNeverOctal()
    {
        assertEquals(10, Numbers.parseLong("10", "x"));
        assertEquals(10, Numbers.parseLong("010", "x"));
        assertEquals(0x1000, Numbers.parseLong("0x1000", "x"));
        assertEquals(0xAB, Numbers.parseLong(" 0XaB ", "x"));
    }

    @Test
    void readsSizesWithBinarySuffixes()
    {
        assertEquals(4096, Numbers.parseSize("4096", "size"));
        assertEquals(4096, Numbers.parseSize("4k", "size"));
        assertEquals(64L << 20, Numbers.parseSize("64M", "size"));
        assertEquals(2L << 30, Numbers.parseSize("2g", "size"));
        assertEquals(0x1000, Numbers.parseSize("0x1000", "size"));
    }

    @Test
    void refusesGarbageWithTheNameOfTheValue()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> Numbers.parseLong("12abc", "start block"));
        assertTrue(ex.getMessage().contains("start block"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseSize("1t", "size"));
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseSize("-4k", "size"));
        assertThrows(IllegalArgumentException.class, () -> Numbers.parseSize("9223372036854775807k", "size"));
    }
}
