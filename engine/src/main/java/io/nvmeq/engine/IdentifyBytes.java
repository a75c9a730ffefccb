package io.nvmeq.engine;

import java.util.Arrays;

/**
 * Identify data exactly as a controller returned it (4096 bytes), kept for tools that show every field: an
 * immutable value, equal by content, so that the records that carry it keep their generated equality.
 */
public final class IdentifyBytes
{
    private final byte[] bytes;

    IdentifyBytes(final byte[] bytes)
    {
        this.bytes = bytes.clone();
    }

    /** Identify data received from elsewhere (a remote server's answer), copied. */
    public static IdentifyBytes copyOf(final byte[] bytes)
    {
        return new IdentifyBytes(bytes);
    }

    /** A copy of the data (wrap it with {@code IdentifyController} or {@code IdentifyNamespace} to read fields). */
    public byte[] toArray()
    {
        return bytes.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof IdentifyBytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString()
    {
        return "IdentifyBytes[" + bytes.length + " bytes]";
    }
}
