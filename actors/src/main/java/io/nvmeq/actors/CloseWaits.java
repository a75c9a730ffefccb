package io.nvmeq.actors;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The facade's waits at close for what is still under way to end (replies delivered, remote answers
 * come): on the closing thread, a millisecond at a time, bounded by the shutdown timeout. Close then
 * answers whatever is left, so a wait that ends early (timeout, interrupt) loses nothing.
 */
final class CloseWaits
{
    private CloseWaits()
    {
    }

    /**
     * Waits until {@code done} or {@code timeout} has passed; an interrupt ends the wait and stays set.
     *
     * @return whether {@code done} held
     */
    static boolean until(final BooleanSupplier done, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
