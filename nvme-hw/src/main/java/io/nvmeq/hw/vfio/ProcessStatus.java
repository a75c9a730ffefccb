package io.nvmeq.hw.vfio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc/self/status says about this process's capabilities. */
final class ProcessStatus
{
    /** CAP_IPC_LOCK: lock memory beyond RLIMIT_MEMLOCK (VFIO does not count pins against the limit then). */
    static final int CAP_IPC_LOCK = 14;

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessStatus()
    {
    }

    static boolean hasIpcLock()
    {
        try
        {
            return hasCapability(Files.readString(STATUS), CAP_IPC_LOCK);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Whether the hex mask of the {@code CapEff:} line of a status text has bit {@code capability}. */
    static boolean hasCapability(final String status, final int capability)
    {
        for (final String line : status.split("\n"))
        {
            if (line.startsWith("CapEff:"))
            {
                try
                {
                    return (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16) >>> capability & 1) != 0;
                }
                catch (final NumberFormatException ex)
                {
                    return false;
                }
            }
        }
        return false;
    }
}
