package io.nvmeq.hw.emu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * What an {@code emu:file:} image holds: namespaces one after another, each of {@code namespaceBytes}
 * in logical blocks of {@code blockSize}. An image nvmeq creates records this in a small text file
 * beside it, {@code IMAGE.nvmeq}; the image itself stays raw (namespace 1's block 0 at byte 0), so QEMU
 * and the kernel read it as any raw image. The geometry is kept outside the data on purpose: a header
 * inside it would shift the data for every other reader, and probing a format from the data lets a
 * guest that writes the right bytes into block 0 change what the image is taken for next time.
 */
record ImageGeometry(int namespaces, long namespaceBytes, int blockSize)
{
    static final String SUFFIX = ".nvmeq";
    private static final String FORMAT_KEY = "nvmeq-image";
    private static final String FORMAT_VERSION = "1";

    static ImageGeometry of(final EmulatorConfig config)
    {
        return new ImageGeometry(config.namespaces(), config.namespaceBytes(), config.blockSize());
    }

    long totalBytes()
    {
        return namespaces * namespaceBytes;
    }

    /** As a user would write it in the device URI. */
    String describe()
    {
        return "namespaces=" + namespaces + "&size=" + namespaceBytes + "&bs=" + blockSize +
            " (" + namespaces + " namespace(s) of " + namespaceBytes + " bytes in " + blockSize + "-byte blocks)";
    }

    static Path sidecarOf(final Path image)
    {
        return image.resolveSibling(image.getFileName() + SUFFIX);
    }

    /**
     * Reads the geometry file of {@code image}.
     *
     * @throws IOException if it cannot be read or is not a geometry file this version understands
     */
    static ImageGeometry read(final Path sidecar) throws IOException
    {
        final Map<String, String> values = new HashMap<>();
        for (final String raw : Files.readAllLines(sidecar, StandardCharsets.UTF_8))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int equals = line.indexOf('=');
            if (equals <= 0)
            {
                throw new IOException(sidecar + ": not a key=value line: '" + line + "'");
            }
            values.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
        }
        if (!FORMAT_VERSION.equals(values.get(FORMAT_KEY)))
        {
            throw new IOException(sidecar + ": not an nvmeq image geometry file of version " + FORMAT_VERSION +
                " (" + FORMAT_KEY + "=" + values.get(FORMAT_KEY) + ")");
        }
        try
        {
            final ImageGeometry geometry = new ImageGeometry(
                Integer.parseInt(required(values, "namespaces", sidecar)),
                Long.parseLong(required(values, "namespace-bytes", sidecar)),
                Integer.parseInt(required(values, "block-size", sidecar)));
            // The same checks as a configuration given in a URI: a corrupt file is refused, not half used.
            EmulatorConfig.builder().backend(EmulatorConfig.Backend.NULL).namespaces(geometry.namespaces).namespaceBytes(geometry.namespaceBytes)
                .blockSize(geometry.blockSize).build();
            return geometry;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(sidecar + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Creates the geometry file of a new image and forces it to the disk; fails if one exists already
     * (another opener created the image meanwhile).
     */
    void create(final Path sidecar, final Path image) throws IOException
    {
        final String text = "# Geometry of the nvmeq image " + image.getFileName() + ", a raw file: namespace 1 from byte 0,\n" +
            "# each next namespace right after the one before.\n" +
            FORMAT_KEY + "=" + FORMAT_VERSION + "\n" +
            "namespaces=" + namespaces + "\n" +
            "namespace-bytes=" + namespaceBytes + "\n" +
            "block-size=" + blockSize + "\n";
        try (FileChannel channel = FileChannel.open(sidecar, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
    }

    private static String required(final Map<String, String> values, final String key, final Path sidecar)
        throws IOException
    {
        final String value = values.get(key);
        if (value == null)
        {
            throw new IOException(sidecar + ": no " + key + "=");
        }
        return value;
    }
}
