package io.nvmeq.hw.spec;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the 4096-byte Identify Namespace data structure of the NVM command set
 * (NVM command set spec 1.0 §4.1.5.1, Figure 97).
 */
public final class IdentifyNamespace
{
    public static final int SIZE = 4096;

    public static final int NSZE = 0;
    public static final int NCAP = 8;
    public static final int NUSE = 16;
    public static final int NSFEAT = 24;
    public static final int NLBAF = 25;
    public static final int FLBAS = 26;
    public static final int MC = 27;
    public static final int DPC = 28;
    public static final int DPS = 29;
    public static final int NMIC = 30;
    public static final int DLFEAT = 33;
    public static final int NAWUN = 34;
    public static final int NGUID = 104;
    public static final int EUI64 = 120;
    public static final int LBAF = 128;

    /** DLFEAT bits 2:0 = 001b: deallocated blocks read as all zeroes. */
    public static final int DLFEAT_READS_ZEROES = 1;

    private UnsafeBuffer buffer;
    private int offset;

    public IdentifyNamespace wrap(final UnsafeBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** Namespace size in logical blocks. */
    public long size()
    {
        return buffer.getLong(offset + NSZE);
    }

    public long capacity()
    {
        return buffer.getLong(offset + NCAP);
    }

    public long utilization()
    {
        return buffer.getLong(offset + NUSE);
    }

    public int features()
    {
        return buffer.getByte(offset + NSFEAT) & 0xFF;
    }

    /** Number of LBA formats, one-based. */
    public int lbaFormatCount()
    {
        return (buffer.getByte(offset + NLBAF) & 0xFF) + 1;
    }

    /** Index of the LBA format in use (FLBAS bits 3:0). */
    public int formattedLbaIndex()
    {
        return buffer.getByte(offset + FLBAS) & 0xF;
    }

    public int dataLbaShift(final int format)
    {
        return (buffer.getInt(offset + LBAF + 4 * format) >>> 16) & 0xFF;
    }

    public int metadataSize(final int format)
    {
        return buffer.getInt(offset + LBAF + 4 * format) & 0xFFFF;
    }

    public int relativePerformance(final int format)
    {
        return (buffer.getInt(offset + LBAF + 4 * format) >>> 24) & 0x3;
    }

    /** Logical block size in bytes of the format in use. */
    public int blockSize()
    {
        return 1 << dataLbaShift(formattedLbaIndex());
    }

    public int deallocateFeatures()
    {
        return buffer.getByte(offset + DLFEAT) & 0xFF;
    }

    // Writers, for a controller.

    public IdentifyNamespace size(final long blocks)
    {
        buffer.putLong(offset + NSZE, blocks);
        return this;
    }

    public IdentifyNamespace capacity(final long blocks)
    {
        buffer.putLong(offset + NCAP, blocks);
        return this;
    }

    public IdentifyNamespace utilization(final long blocks)
    {
        buffer.putLong(offset + NUSE, blocks);
        return this;
    }

    public IdentifyNamespace features(final int nsfeat)
    {
        buffer.putByte(offset + NSFEAT, (byte)nsfeat);
        return this;
    }

    /** A single LBA format, in use: data size 2^lbaShift, no metadata. */
    public IdentifyNamespace singleLbaFormat(final int lbaShift)
    {
        buffer.putByte(offset + NLBAF, (byte)0);
        buffer.putByte(offset + FLBAS, (byte)0);
        buffer.putInt(offset + LBAF, (lbaShift & 0xFF) << 16);
        return this;
    }

    public IdentifyNamespace deallocateFeatures(final int dlfeat)
    {
        buffer.putByte(offset + DLFEAT, (byte)dlfeat);
        return this;
    }
}
