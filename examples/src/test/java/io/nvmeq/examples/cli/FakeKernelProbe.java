package io.nvmeq.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kernel's part of {@code drivers_probe} in a {@link FakeSysfs}: the file is a FIFO, and for each
 * address written to it a thread binds that function to the driver its {@code driver_override} names, or to
 * {@code nvme} when the override is empty (the kernel's nvme driver taking it back). A command that does not
 * write the probe, or writes the wrong address, leaves the function where it was.
 */
final class FakeKernelProbe implements AutoCloseable
{
    private final FakeSysfs tree;
    private final Path fifo;
    private final Thread thread;

    FakeKernelProbe(final FakeSysfs tree) throws IOException, InterruptedException
    {
        this.tree = tree;
        this.fifo = tree.root.resolve("sys/bus/pci/drivers_probe");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0)
        {
            throw new IOException("mkfifo " + fifo + " failed");
        }
        thread = new Thread(this::probeUntilClosed, "fake-kernel-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void probeUntilClosed()
    {
        while (true)
        {
            final String address;
            try (BufferedReader reader = Files.newBufferedReader(fifo))
            {
                final String line = reader.readLine();
                address = line == null ? "" : line.trim();
            }
            catch (final IOException ex)
            {
                return;
            }
            if (address.isEmpty())
            {
                return;
            }
            final Path override = tree.root.resolve("sys/bus/pci/devices/" + address + "/driver_override");
            try
            {
                final String driver = Files.exists(override) ? Files.readString(override).trim() : "";
                tree.driver(address, driver.isEmpty() ? "nvme" : driver);
            }
            catch (final IOException | UncheckedIOException ex)
            {
                return;
            }
        }
    }

    /** Stops the thread: an empty line through a read-write open, which does not wait for a reader. */
    @Override
    public void close() throws IOException, InterruptedException
    {
        if (thread.isAlive())
        {
            try (FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap("\n".getBytes(StandardCharsets.US_ASCII)));
            }
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
