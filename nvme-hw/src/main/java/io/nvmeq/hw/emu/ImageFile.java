package io.nvmeq.hw.emu;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the image of an {@code emu:file:} controller, and decides what it holds:
 * <ul>
 *   <li>an image with a geometry file beside it ({@link ImageGeometry}) holds that geometry; a URI
 *       that gives another is refused, one that leaves it out takes it;</li>
 *   <li>an image without one is raw (written by QEMU, {@code dd}, ...): it opens when the geometry
 *       of the URI (given or default) covers the file exactly, so that it is never reinterpreted
 *       or grown;</li>
 *   <li>no image: a new one of the URI's geometry, created by the first write.</li>
 * </ul>
 * Opening creates nothing and changes nothing; it fails with an {@link ImageFileException} that
 * names the image's real geometry when the URI does not fit it, and when the image is open
 * elsewhere (see {@link ImageLock}) or its writes cannot be made durable (a character device).
 */
final class ImageFile
{
    /** S_IFMT and the file types of stat(2)'s st_mode. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;

    private ImageFile()
    {
    }

    /** The store and the configuration with the image's geometry. */
    record Opened(EmulatorConfig config, FileStore store)
    {
    }

    static Opened open(final EmulatorConfig config, final String uri)
    {
        final Path image = config.file();
        final ImageLock lock;
        try
        {
            lock = ImageLock.claim(image);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ImageFileException(uri, "the directory of " + image + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new ImageFileException(uri, "cannot look up " + image + ": " + ex);
        }
        if (lock == null)
        {
            throw new ImageFileException(uri, image + " is open already in this process (by another controller); " +
                "an image has one opener at a time");
        }
        FileChannel channel = null;
        try
        {
            final Path sidecar = ImageGeometry.sidecarOf(image);
            final ImageGeometry recorded = Files.exists(sidecar) ? ImageGeometry.read(sidecar) : null;
            final boolean exists = Files.exists(image);
            if (exists)
            {
                checkFileType(image, uri);
            }
            final ImageGeometry geometry = recorded != null ? recorded : ImageGeometry.of(config);
            if (recorded != null)
            {
                checkGiven(config, recorded, sidecar, uri);
            }
            if (exists)
            {
                channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
                if (!lock.lock(channel))
                {
                    throw new ImageFileException(uri, image + " is locked by another process (another nvmeq, " +
                        "or QEMU, which locks its images too); an image has one opener at a time");
                }
                checkLength(image, channel.size(), recorded, geometry, uri);
                probeSync(image, channel, uri);
            }
            final FileStore store = new FileStore(lock, channel, geometry, recorded == null && !exists);
            return new Opened(config.withGeometry(geometry), store);
        }
        catch (final IOException ex)
        {
            close(channel, lock);
            throw new ImageFileException(uri, "cannot open " + image + ": " + ex);
        }
        catch (final RuntimeException ex)
        {
            close(channel, lock);
            throw ex;
        }
    }

    private static void checkFileType(final Path image, final String uri) throws IOException
    {
        final int type = ((Integer)Files.getAttribute(image, "unix:mode")) & S_IFMT;
        if (type != S_IFREG && type != S_IFBLK)
        {
            throw new ImageFileException(uri, image + " is not a regular file or a block device (" +
                (Files.isDirectory(image) ? "a directory" : "a character device, pipe or socket") +
                "): its writes cannot be made durable");
        }
    }

    /** Every part of the geometry the URI gives must be the image's; the others come from the image. */
    private static void checkGiven(
        final EmulatorConfig config, final ImageGeometry recorded, final Path sidecar, final String uri)
    {
        final List<String> wrong = new ArrayList<>();
        if (config.givenGeometry().contains(EmulatorConfig.Geometry.NAMESPACES) && config.namespaces() != recorded.namespaces())
        {
            wrong.add("namespaces=" + config.namespaces());
        }
        if (config.givenGeometry().contains(EmulatorConfig.Geometry.NAMESPACE_BYTES) &&
            config.namespaceBytes() != recorded.namespaceBytes())
        {
            wrong.add("size=" + config.namespaceBytes());
        }
        if (config.givenGeometry().contains(EmulatorConfig.Geometry.BLOCK_SIZE) && config.blockSize() != recorded.blockSize())
        {
            wrong.add("bs=" + config.blockSize());
        }
        if (!wrong.isEmpty())
        {
            throw new ImageFileException(uri, config.file() + " is an image of " + recorded.describe() +
                " (as " + sidecar + " records), not " + String.join(", ", wrong) +
                "; give its own values or leave them out");
        }
    }

    private static void checkLength(
        final Path image, final long length, final ImageGeometry recorded, final ImageGeometry geometry, final String uri)
    {
        if (recorded != null)
        {
            // Created at its full length; shorter (truncated, or a crash while it was created) reads as
            // zeroes past the end, but longer is not this image.
            if (length > recorded.totalBytes())
            {
                throw new ImageFileException(uri, image + " is " + length + " bytes, longer than the " +
                    recorded.totalBytes() + " bytes of its recorded geometry " + recorded.describe() +
                    ": it was changed by something else; fix or remove " + ImageGeometry.sidecarOf(image));
            }
            return;
        }
        if (length != geometry.totalBytes())
        {
            throw new ImageFileException(uri, image + " is a raw image of " + length + " bytes without a geometry file (" +
                ImageGeometry.sidecarOf(image).getFileName() + "), and " + geometry.describe() + " makes " +
                geometry.totalBytes() + " bytes: give size= (and namespaces=) so that namespaces × size is the " +
                "file's length, and bs= for its block size; a raw image is never grown or reinterpreted");
        }
    }

    /** A file whose fsync fails (EINVAL on a character device) cannot keep Flush's promise: refuse it now. */
    private static void probeSync(final Path image, final FileChannel channel, final String uri)
    {
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new ImageFileException(uri, "cannot sync " + image + " (" + ex.getMessage() +
                "): its writes cannot be made durable");
        }
    }

    private static void close(final FileChannel channel, final ImageLock lock)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignored)
        {
            // Nothing was written through it; the open error is what the caller needs to see.
        }
        finally
        {
            lock.close();
        }
    }
}
