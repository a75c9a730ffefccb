package io.nvmeq.hw.dma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc/meminfo says about the default hugepage pool: the page size and how many pages are free.
 * An mmap with MAP_HUGETLB fails with ENOMEM when the pool cannot cover it, so DmaMemory asks first.
 */
record HugePages(long pageSize, long freePages)
{
    static final long SIZE_2M = 2L << 20;
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /** Reads /proc/meminfo now (the pool changes as processes take pages); no pool if it cannot be read. */
    static HugePages current()
    {
        try
        {
            return parse(Files.readString(MEMINFO));
        }
        catch (final IOException ex)
        {
            return new HugePages(0, 0);
        }
    }

    /** Parses the "HugePages_Free:" and "Hugepagesize: ... kB" lines of a meminfo text; absent = 0. */
    static HugePages parse(final String meminfo)
    {
        long pageSize = 0;
        long free = 0;
        for (final String line : meminfo.split("\n"))
        {
            if (line.startsWith("HugePages_Free:"))
            {
                free = number(line);
            }
            else if (line.startsWith("Hugepagesize:"))
            {
                pageSize = number(line) * 1024;
            }
        }
        return new HugePages(pageSize, free);
    }

    /** Whether {@code bytes} of 2 MiB pages can be taken from the pool now. */
    boolean canCover2M(final long bytes)
    {
        return pageSize == SIZE_2M && freePages * SIZE_2M >= bytes;
    }

    private static long number(final String line)
    {
        final String[] fields = line.trim().split("\\s+");
        try
        {
            return fields.length >= 2 ? Long.parseLong(fields[1]) : 0;
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }
}
