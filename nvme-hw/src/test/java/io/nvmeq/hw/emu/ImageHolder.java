package io.nvmeq.hw.emu;

import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.NvmeDevice;

/**
 * The other process of ImageFileTest: opens the device URI it is given, prints {@code OPEN}, and
 * holds the device until its standard input closes.
 */
public final class ImageHolder
{
    private ImageHolder()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (NvmeDevice device = Devices.open(args[0]))
        {
            System.out.println("OPEN");
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // Held until the parent closes the pipe (or dies).
            }
        }
    }
}
