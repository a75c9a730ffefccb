package io.nvmeq.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BlockPickerTest
{
    @Test
    void stripesNeverOverlapAndCoverTheirShare()
    {
        final BlockPicker picker = new BlockPicker(true, 100, 40, 4);
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++)
        {
            final int stripe = i % 4;
            final long block = picker.next(random, stripe);
            assertTrue(block >= 100 + stripe * 10 && block < 110 + stripe * 10, "stripe " + stripe + ": " + block);
        }
    }

    @Test
    void sequentialWrapsAroundTheRegion()
    {
        final BlockPicker picker = new BlockPicker(false, 10, 3, 0);
        final SplittableRandom random = new SplittableRandom(1);
        final long[] expected = {10, 11, 12, 10, 11};
        for (final long block : expected)
        {
            assertEquals(block, picker.next(random, 0));
        }
    }

    @Test
    void aRegionSmallerThanItsStripesIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new BlockPicker(true, 0, 3, 4));
    }
}
