package io.nvmeq.hw.emu;

import io.nvmeq.hw.device.DeviceUnavailableException;

/**
 * An {@code emu:file:} image that cannot be opened as the URI asks: in use by another opener, of
 * another geometry than the URI gives, not a file whose writes can be made durable, or unreadable.
 * Nothing was created or changed on the way to this error.
 */
public final class ImageFileException extends DeviceUnavailableException
{
    private static final long serialVersionUID = 1L;

    public ImageFileException(final String uri, final String reason)
    {
        super(uri, reason);
    }
}
