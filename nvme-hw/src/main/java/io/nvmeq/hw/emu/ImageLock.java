package io.nvmeq.hw.emu;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps an image to one opener at a time. Across processes: an exclusive {@code fcntl} record lock on
 * the whole image ({@link FileChannel#tryLock()}), which QEMU's own image locks (OFD locks on bytes of
 * the same file) conflict with, so neither opens an image the other has open. Within this JVM: a
 * registry checked before any file descriptor is opened, because closing any descriptor of a file
 * drops every record lock the process holds on it; a second opener must therefore fail before it
 * opens the image, not after.
 */
final class ImageLock implements AutoCloseable
{
    private static final Set<Object> OPEN = ConcurrentHashMap.newKeySet();

    private final Path image;
    private final Object pathKey;
    private volatile Object fileKey;
    private FileLock fileLock;

    private ImageLock(final Path image, final Object pathKey, final Object fileKey)
    {
        this.image = image;
        this.pathKey = pathKey;
        this.fileKey = fileKey;
    }

    /**
     * Claims {@code image} (which may not exist yet) for this JVM.
     *
     * @return null if another controller of this JVM has it open
     */
    static ImageLock claim(final Path image) throws IOException
    {
        final Path real = Files.exists(image)
            ? image.toRealPath()
            : image.toAbsolutePath().getParent().toRealPath().resolve(image.getFileName());
        final Object fileKey = Files.exists(real) ? Files.readAttributes(real, BasicFileAttributes.class).fileKey() : null;
        if (!OPEN.add(real))
        {
            return null;
        }
        if (fileKey != null && !OPEN.add(fileKey))
        {
            // The same file under another name (a hard link) is open already.
            OPEN.remove(real);
            return null;
        }
        return new ImageLock(real, real, fileKey);
    }

    /**
     * Takes the cross-process lock through {@code channel}, an open descriptor of the claimed image.
     *
     * @return whether the lock is held now (false: another process holds a lock on the image)
     */
    synchronized boolean lock(final FileChannel channel) throws IOException
    {
        try
        {
            fileLock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            return false;
        }
        if (fileLock != null && fileKey == null)
        {
            // Created since the claim: a hard link made meanwhile must find it taken too.
            final Object key = Files.readAttributes(image, BasicFileAttributes.class).fileKey();
            if (key != null && OPEN.add(key))
            {
                fileKey = key;
            }
        }
        return fileLock != null;
    }

    Path image()
    {
        return image;
    }

    /** Gives the image back; the record lock goes with the descriptor, which its owner closes. */
    @Override
    public synchronized void close()
    {
        OPEN.remove(pathKey);
        if (fileKey != null)
        {
            OPEN.remove(fileKey);
        }
    }
}
