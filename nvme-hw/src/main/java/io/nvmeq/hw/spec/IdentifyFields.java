package io.nvmeq.hw.spec;

import java.math.BigInteger;

/**
 * Any field of an Identify data structure by its byte offset, for tools that show every field (as
 * {@code nvme id-ctrl} and {@code nvme id-ns} do) from one table of offsets instead of one accessor each.
 */
public interface IdentifyFields
{
    /** The little-endian unsigned field of {@code width} bytes (1, 2, 4 or 8) at {@code field}. */
    long unsigned(int field, int width);

    default int unsigned8(final int field)
    {
        return (int)unsigned(field, 1);
    }

    default int unsigned16(final int field)
    {
        return (int)unsigned(field, 2);
    }

    default long unsigned32(final int field)
    {
        return unsigned(field, 4);
    }

    default long unsigned64(final int field)
    {
        return unsigned(field, 8);
    }

    /** A 16-byte little-endian count. */
    BigInteger unsigned128(int field);

    /** {@code length} raw bytes at {@code field}, in the order they lie in the structure. */
    byte[] bytes(int field, int length);
}
