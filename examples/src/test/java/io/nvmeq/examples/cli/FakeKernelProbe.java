package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kernel's part of {@code drivers_probe} in a {@link FakeSysfs}: a thread watches the file, and for
 * each address written to it binds that function to the driver its {@code driver_override} names, or to
 * {@code nvme} when the override is empty (the kernel's nvme driver taking it back), then empties the file.
 * The real kernel binds during the write; this one a few milliseconds later, which the command's bounded wait
 * for the new driver covers. A command that does not write the probe, or writes the wrong address, leaves the
 * function where it was.
 */
final class FakeKernelProbe implements AutoCloseable
{
    private static final long POLL_MILLIS = 2;

    private final FakeSysfs tree;
    private final Path probe;
    private final Thread thread;
    private volatile boolean closed;

    FakeKernelProbe(final FakeSysfs tree)
    {
        this.tree = tree;
        this.probe = tree.root.resolve("sys/bus/pci/drivers_probe");
        thread = new Thread(this::probeUntilClosed, "fake-kernel-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void probeUntilClosed()
    {
        try
        {
            while (!closed)
            {
                final String address = Files.exists(probe) ? Files.readString(probe).trim() : "";
                if (address.isEmpty())
                {
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                final Path override = tree.root.resolve("sys/bus/pci/devices/" + address + "/driver_override");
                final String driver = Files.exists(override) ? Files.readString(override).trim() : "";
                tree.driver(address, driver.isEmpty() ? "nvme" : driver);
                Files.delete(probe);
            }
        }
        catch (final IOException | UncheckedIOException | InterruptedException ex)
        {
            // The test's own assertions then show that nothing was bound.
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        closed = true;
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
