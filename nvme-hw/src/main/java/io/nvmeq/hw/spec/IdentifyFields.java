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

    /** A 16-byte little-endian count. */
    BigInteger unsigned128(int field);

    /** {@code length} raw bytes at {@code field}, in the order they lie in the structure. */
    byte[] bytes(int field, int length);
}
