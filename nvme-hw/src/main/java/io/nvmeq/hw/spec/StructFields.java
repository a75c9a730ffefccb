package io.nvmeq.hw.spec;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads of little-endian fields at an absolute offset, for the data structures that tools show field by field
 * (Identify Controller, Identify Namespace): the flyweights delegate here so that each width is decoded once.
 */
final class StructFields
{
    private StructFields()
    {
    }

    static long unsigned(final UnsafeBuffer buffer, final int index, final int width)
    {
        return switch (width)
        {
            case 1 -> unsigned8(buffer, index);
            case 2 -> unsigned16(buffer, index);
            case 4 -> unsigned32(buffer, index);
            case 8 -> unsigned64(buffer, index);
            default -> throw new IllegalArgumentException("not a field width: " + width);
        };
    }

    static int unsigned8(final UnsafeBuffer buffer, final int index)
    {
        return buffer.getByte(index) & 0xFF;
    }

    static int unsigned16(final UnsafeBuffer buffer, final int index)
    {
        return buffer.getShort(index, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static long unsigned32(final UnsafeBuffer buffer, final int index)
    {
        return buffer.getInt(index, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    static long unsigned64(final UnsafeBuffer buffer, final int index)
    {
        return buffer.getLong(index, ByteOrder.LITTLE_ENDIAN);
    }

    /** A 16-byte little-endian count. */
    static BigInteger unsigned128(final UnsafeBuffer buffer, final int index)
    {
        final byte[] bigEndian = new byte[16];
        for (int i = 0; i < 16; i++)
        {
            bigEndian[15 - i] = buffer.getByte(index + i);
        }
        return new BigInteger(1, bigEndian);
    }

    static byte[] bytes(final UnsafeBuffer buffer, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        return bytes;
    }

    /** An ASCII field up to its first NUL, padding kept. */
    static String asciiPadded(final UnsafeBuffer buffer, final int index, final int length)
    {
        final byte[] bytes = bytes(buffer, index, length);
        int end = 0;
        while (end < length && bytes[end] != 0)
        {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
