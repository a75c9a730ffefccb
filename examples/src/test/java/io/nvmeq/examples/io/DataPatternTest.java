package io.nvmeq.examples.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DataPatternTest
{
    @Test
    void randomBytesDependOnlyOnPositionNotOnHowTheStreamIsSplit()
    {
        final DataPattern pattern = DataPattern.random(7);
        final byte[] whole = new byte[4096];
        pattern.fill(new UnsafeBuffer(whole), 0, whole.length, 1000);

        final SplittableRandom random = new SplittableRandom(1);
        for (int round = 0; round < 200; round++)
        {
            final byte[] pieces = new byte[whole.length];
            int at = 0;
            while (at < pieces.length)
            {
                final int length = Math.min(pieces.length - at, 1 + random.nextInt(100));
                // Each piece goes to the start of a scratch buffer, as BlockTransfer fills command buffers.
                final byte[] scratch = new byte[length];
                pattern.fill(new UnsafeBuffer(scratch), 0, length, 1000 + at);
                System.arraycopy(scratch, 0, pieces, at, length);
                at += length;
            }
            assertArrayEquals(whole, pieces, "round " + round);
        }
    }

    @Test
    void randomStreamsDifferBySeedAndByPosition()
    {
        final byte[] a = new byte[512];
        final byte[] b = new byte[512];
        final byte[] c = new byte[512];
        DataPattern.random(1).fill(new UnsafeBuffer(a), 0, 512, 0);
        DataPattern.random(2).fill(new UnsafeBuffer(b), 0, 512, 0);
        DataPattern.random(1).fill(new UnsafeBuffer(c), 0, 512, 512);
        assertFalse(Arrays.equals(a, b));
        assertFalse(Arrays.equals(a, c));
        assertFalse(Arrays.equals(a, new byte[512]));
    }

    @Test
    void constantFillsEveryByteOfTheRangeAndNothingElse()
    {
        final byte[] bytes = new byte[10];
        DataPattern.parse("0xAB").fill(new UnsafeBuffer(bytes), 2, 5, 123);
        final byte ab = (byte)0xAB;
        assertArrayEquals(new byte[] {0, 0, ab, ab, ab, ab, ab, 0, 0, 0}, bytes);
    }

    @Test
    void parsesWhatToStringPrints()
    {
        assertEquals("0xAB", DataPattern.parse("0xab").toString());
        assertEquals("0x11", DataPattern.parse("17").toString());
        assertEquals("random:42", DataPattern.parse("random:42").toString());
        assertEquals("random:255", DataPattern.parse("RANDOM:0xff").toString());
    }

    @Test
    void refusesWhatIsNotAByteOrASeed()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataPattern.parse("0x100"))
            .getMessage().contains("0x00..0xFF"));
        assertThrows(IllegalArgumentException.class, () -> DataPattern.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> DataPattern.parse("zeros"));
        assertThrows(IllegalArgumentException.class, () -> DataPattern.parse("random:"));
    }
}
