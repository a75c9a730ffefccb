package io.nvmeq.hw.spec;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the 4096-byte Identify Controller data structure (NVMe base spec 2.0 §5.17.2.1,
 * Figure 275). Both sides use it: a controller fills it, a host decodes it.
 */
public final class IdentifyController
{
    public static final int SIZE = 4096;

    public static final int VID = 0;
    public static final int SSVID = 2;
    public static final int SN = 4;
    public static final int SN_LENGTH = 20;
    public static final int MN = 24;
    public static final int MN_LENGTH = 40;
    public static final int FR = 64;
    public static final int FR_LENGTH = 8;
    public static final int RAB = 72;
    public static final int IEEE = 73;
    public static final int CMIC = 76;
    public static final int MDTS = 77;
    public static final int CNTLID = 78;
    public static final int VER = 80;
    public static final int OACS = 256;
    public static final int ACL = 258;
    public static final int AERL = 259;
    public static final int FRMW = 260;
    public static final int LPA = 261;
    public static final int ELPE = 262;
    public static final int SQES = 512;
    public static final int CQES = 513;
    public static final int MAXCMD = 514;
    public static final int NN = 516;
    public static final int ONCS = 520;
    public static final int FUSES = 522;
    public static final int FNA = 524;
    public static final int VWC = 525;
    public static final int AWUN = 526;
    public static final int AWUPF = 528;
    public static final int SUBNQN = 768;

    /** ONCS bits (Optional NVM Command Support). */
    public static final int ONCS_DATASET_MANAGEMENT = 1 << 2;
    public static final int ONCS_WRITE_ZEROES = 1 << 3;

    private UnsafeBuffer buffer;
    private int offset;

    public IdentifyController wrap(final UnsafeBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int vendorId()
    {
        return buffer.getShort(offset + VID) & 0xFFFF;
    }

    public String serialNumber()
    {
        return ascii(SN, SN_LENGTH);
    }

    public String modelNumber()
    {
        return ascii(MN, MN_LENGTH);
    }

    public String firmwareRevision()
    {
        return ascii(FR, FR_LENGTH);
    }

    /** MDTS as the spec gives it: a power of two in units of CAP.MPSMIN; 0 means no limit. */
    public int mdts()
    {
        return buffer.getByte(offset + MDTS) & 0xFF;
    }

    public int controllerId()
    {
        return buffer.getShort(offset + CNTLID) & 0xFFFF;
    }

    public int version()
    {
        return buffer.getInt(offset + VER);
    }

    public int abortCommandLimit()
    {
        return (buffer.getByte(offset + ACL) & 0xFF) + 1;
    }

    public int asyncEventRequestLimit()
    {
        return (buffer.getByte(offset + AERL) & 0xFF) + 1;
    }

    public int sqes()
    {
        return buffer.getByte(offset + SQES) & 0xFF;
    }

    public int cqes()
    {
        return buffer.getByte(offset + CQES) & 0xFF;
    }

    public int maxCommands()
    {
        return buffer.getShort(offset + MAXCMD) & 0xFFFF;
    }

    public int namespaceCount()
    {
        return buffer.getInt(offset + NN);
    }

    public int oncs()
    {
        return buffer.getShort(offset + ONCS) & 0xFFFF;
    }

    public boolean volatileWriteCache()
    {
        return (buffer.getByte(offset + VWC) & 1) != 0;
    }

    public int awun()
    {
        return buffer.getShort(offset + AWUN) & 0xFFFF;
    }

    // Writers, for a controller.

    public IdentifyController vendorId(final int vid)
    {
        buffer.putShort(offset + VID, (short)vid);
        buffer.putShort(offset + SSVID, (short)vid);
        return this;
    }

    public IdentifyController serialNumber(final String sn)
    {
        return putAscii(SN, SN_LENGTH, sn);
    }

    public IdentifyController modelNumber(final String mn)
    {
        return putAscii(MN, MN_LENGTH, mn);
    }

    public IdentifyController firmwareRevision(final String fr)
    {
        return putAscii(FR, FR_LENGTH, fr);
    }

    public IdentifyController mdts(final int mdts)
    {
        buffer.putByte(offset + MDTS, (byte)mdts);
        return this;
    }

    public IdentifyController controllerId(final int id)
    {
        buffer.putShort(offset + CNTLID, (short)id);
        return this;
    }

    public IdentifyController version(final int vs)
    {
        buffer.putInt(offset + VER, vs);
        return this;
    }

    public IdentifyController abortCommandLimit(final int limit)
    {
        buffer.putByte(offset + ACL, (byte)(limit - 1));
        return this;
    }

    public IdentifyController asyncEventRequestLimit(final int limit)
    {
        buffer.putByte(offset + AERL, (byte)(limit - 1));
        return this;
    }

    /** SQES/CQES: required and maximum entry sizes as powers of two (64 and 16 bytes). */
    public IdentifyController queueEntrySizes()
    {
        buffer.putByte(offset + SQES, (byte)((6 << 4) | 6));
        buffer.putByte(offset + CQES, (byte)((4 << 4) | 4));
        return this;
    }

    public IdentifyController maxCommands(final int maxcmd)
    {
        buffer.putShort(offset + MAXCMD, (short)maxcmd);
        return this;
    }

    public IdentifyController namespaceCount(final int nn)
    {
        buffer.putInt(offset + NN, nn);
        return this;
    }

    public IdentifyController oncs(final int oncs)
    {
        buffer.putShort(offset + ONCS, (short)oncs);
        return this;
    }

    public IdentifyController volatileWriteCache(final boolean present)
    {
        buffer.putByte(offset + VWC, (byte)(present ? 1 : 0));
        return this;
    }

    public IdentifyController awun(final int awun)
    {
        buffer.putShort(offset + AWUN, (short)awun);
        return this;
    }

    private String ascii(final int field, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + field, bytes);
        int end = length;
        while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0))
        {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    /** ASCII fields are left-justified and padded with spaces (§1.5 "Conventions"). */
    private IdentifyController putAscii(final int field, final int length, final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + field + i, i < bytes.length ? bytes[i] : (byte)' ');
        }
        return this;
    }
}
