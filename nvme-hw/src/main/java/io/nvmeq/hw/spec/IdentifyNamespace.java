package io.nvmeq.hw.spec;

import java.math.BigInteger;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the 4096-byte Identify Namespace data structure of the NVM command set
 * (NVM command set spec 1.0 §4.1.5.1, Figure 97).
 */
public final class IdentifyNamespace implements IdentifyFields
{
    public static final int SIZE = 4096;

    // Byte offsets of the fields, in the order of the data structure (NVM command set spec 1.1 Figure 114).
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
    public static final int RESCAP = 31;
    public static final int FPI = 32;
    public static final int DLFEAT = 33;
    public static final int NAWUN = 34;
    public static final int NAWUPF = 36;
    public static final int NACWU = 38;
    public static final int NABSN = 40;
    public static final int NABO = 42;
    public static final int NABSPF = 44;
    public static final int NOIOB = 46;
    public static final int NVMCAP = 48;
    public static final int NPWG = 64;
    public static final int NPWA = 66;
    public static final int NPDG = 68;
    public static final int NPDA = 70;
    public static final int NOWS = 72;
    public static final int MSSRL = 74;
    public static final int MCL = 76;
    public static final int MSRC = 80;
    public static final int KPIOS = 81;
    public static final int NULBAF = 82;
    public static final int KPIODAAG = 84;
    public static final int ANAGRPID = 92;
    public static final int NSATTR = 99;
    public static final int NVMSETID = 100;
    public static final int ENDGID = 102;
    public static final int NGUID = 104;
    public static final int EUI64 = 120;
    /** LBA Format 0..63, 4 bytes each: MS (bits 15:0), LBADS (23:16), RP (25:24). */
    public static final int LBAF = 128;

    /** NSFEAT bit 4: NPWG, NPWA, NPDG, NPDA and NOWS are defined; bit 5: the same without NPDG. */
    public static final int NSFEAT_OPTIMAL_PERFORMANCE = 0x30;
    public static final int NSFEAT_OPTPERF_ALL = 0x10;

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

    // Typed reads of any field by its offset (the constants above), for tools that show every field.

    @Override
    public long unsigned(final int field, final int width)
    {
        return StructFields.unsigned(buffer, offset + field, width);
    }

    /** A 16-byte little-endian count (NVMCAP). */
    @Override
    public BigInteger unsigned128(final int field)
    {
        return StructFields.unsigned128(buffer, offset + field);
    }

    /** {@code length} raw bytes of a field, in the order they lie in the structure (NGUID, EUI64). */
    @Override
    public byte[] bytes(final int field, final int length)
    {
        return StructFields.bytes(buffer, offset + field, length);
    }

    /** Number of unique attribute LBA formats beyond NLBAF (NULBAF), zero-based count added to NLBAF. */
    public int uniqueLbaFormatCount()
    {
        return unsigned8(NULBAF);
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
