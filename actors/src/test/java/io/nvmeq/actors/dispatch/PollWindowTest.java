package io.nvmeq.actors.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The adaptive poll window learns from idle spells as QEMU's adaptive polling does, within its maximum. */
class PollWindowTest
{
    @Test
    void growsOnSpellsItAlmostCaughtUpToItsMaximum()
    {
        final PollWindow window = new PollWindow(50_000);
        assertEquals(0, window.nanos(), "no window before any spell");
        window.observe(10_000);
        assertEquals(PollWindow.FIRST_WINDOW_NANOS, window.nanos());
        window.observe(10_000);
        assertEquals(8_000, window.nanos());
        window.observe(10_000);
        assertEquals(16_000, window.nanos());
        window.observe(10_000);
        assertEquals(16_000, window.nanos(), "a spell the window caught changes nothing");
        for (int i = 0; i < 10; i++)
        {
            window.observe(49_000);
        }
        assertEquals(50_000, window.nanos(), "never past the maximum");
    }

    @Test
    void shrinksOnSpellsTooLongToPollThrough()
    {
        final PollWindow window = new PollWindow(50_000);
        for (int i = 0; i < 10; i++)
        {
            window.observe(40_000);
        }
        assertEquals(50_000, window.nanos());
        window.observe(1_000_000);
        assertEquals(25_000, window.nanos());
        for (int i = 0; i < 30; i++)
        {
            window.observe(1_000_000);
        }
        assertEquals(0, window.nanos(), "a steady light load sleeps at once");
    }

    @Test
    void aZeroMaximumNeverPolls()
    {
        final PollWindow window = new PollWindow(0);
        window.observe(0);
        window.observe(1_000);
        assertEquals(0, window.nanos());
        assertThrows(IllegalArgumentException.class, () -> new PollWindow(-1));
    }
}
