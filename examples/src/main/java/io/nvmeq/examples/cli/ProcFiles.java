package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a small procfs or sysfs file whole. Not {@code Files.readString}: procfs files report a size of 0, so it
 * reads one byte and then reads on from offset 1, where sysctl files such as {@code /proc/sys/vm/nr_hugepages}
 * answer end-of-file: "256" came back as "2". One large read from offset 0 gets the whole value.
 */
final class ProcFiles
{
    private ProcFiles()
    {
    }

    static String readTrimmed(final Path file) throws IOException
    {
        try (InputStream in = Files.newInputStream(file))
        {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }
}
