package io.nvmeq.actors;

/**
 * A host application in a JVM of its own, for {@link HostEnvironmentTest}: opens a device, prints how that
 * went, then proves it is still alive by printing a last line and exiting 0 itself.
 */
public final class EmbeddedOpen
{
    private EmbeddedOpen()
    {
    }

    public static void main(final String[] args)
    {
        try (Nvmeq nvmeq = Nvmeq.open(args[0]))
        {
            System.out.println("opened " + nvmeq.controller().model());
        }
        catch (final RuntimeException ex)
        {
            System.out.println("refused: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        System.out.println("host still running");
    }
}
