package io.nvmeq.hw.spec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the 4096-byte Identify Controller data structure (NVMe base spec 2.0 §5.17.2.1,
 * Figure 275; field offsets as of 2.1). Multi-byte fields are little-endian. Both sides use it: a controller fills it, a host decodes it.
 */
public final class IdentifyController implements IdentifyFields
{
    public static final int SIZE = 4096;

    // Byte offsets of the fields, in the order of the data structure (NVMe base spec 2.1 Figure 312).
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
    public static final int RTD3R = 84;
    public static final int RTD3E = 88;
    public static final int OAES = 92;
    public static final int CTRATT = 96;
    public static final int RRLS = 100;
    public static final int BPCAP = 102;
    public static final int NSSL = 104;
    public static final int PLSI = 110;
    public static final int CNTRLTYPE = 111;
    public static final int FGUID = 112;
    public static final int CRDT1 = 128;
    public static final int CRDT2 = 130;
    public static final int CRDT3 = 132;
    public static final int CRCAP = 134;
    public static final int NVMSR = 253;
    public static final int VWCI = 254;
    public static final int MEC = 255;
    public static final int OACS = 256;
    public static final int ACL = 258;
    public static final int AERL = 259;
    public static final int FRMW = 260;
    public static final int LPA = 261;
    public static final int ELPE = 262;
    public static final int NPSS = 263;
    public static final int AVSCC = 264;
    public static final int APSTA = 265;
    public static final int WCTEMP = 266;
    public static final int CCTEMP = 268;
    public static final int MTFA = 270;
    public static final int HMPRE = 272;
    public static final int HMMIN = 276;
    public static final int TNVMCAP = 280;
    public static final int UNVMCAP = 296;
    public static final int RPMBS = 312;
    public static final int EDSTT = 316;
    public static final int DSTO = 318;
    public static final int FWUG = 319;
    public static final int KAS = 320;
    public static final int HCTMA = 322;
    public static final int MNTMT = 324;
    public static final int MXTMT = 326;
    public static final int SANICAP = 328;
    public static final int HMMINDS = 332;
    public static final int HMMAXD = 336;
    public static final int NSETIDMAX = 338;
    public static final int ENDGIDMAX = 340;
    public static final int ANATT = 342;
    public static final int ANACAP = 343;
    public static final int ANAGRPMAX = 344;
    public static final int NANAGRPID = 348;
    public static final int PELS = 352;
    public static final int DOMAINID = 356;
    public static final int KPIOC = 358;
    public static final int MPTFAWR = 360;
    public static final int MEGCAP = 368;
    public static final int TMPTHHA = 384;
    public static final int CQT = 386;
    public static final int CDPA = 388;
    public static final int MUP = 390;
    public static final int IPMSR = 392;
    public static final int MSMT = 394;
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
    public static final int ICSVSCC = 530;
    public static final int NWPC = 531;
    public static final int ACWU = 532;
    public static final int OCFS = 534;
    public static final int SGLS = 536;
    public static final int MNAN = 540;
    public static final int MAXDNA = 544;
    public static final int MAXCNA = 560;
    public static final int OAQD = 564;
    public static final int RHIRI = 568;
    public static final int HIRT = 569;
    public static final int CMMRTD = 570;
    public static final int NMMRTD = 572;
    public static final int MINMRTG = 574;
    public static final int MAXMRTG = 575;
    public static final int TRATTR = 576;
    public static final int MCUDMQ = 578;
    public static final int MNSUDMQ = 580;
    public static final int MCMR = 582;
    public static final int NMCMR = 584;
    public static final int MCDQPC = 586;
    public static final int SUBNQN = 768;
    public static final int SUBNQN_LENGTH = 256;
    // Fabrics only: zero on a PCIe controller.
    public static final int IOCCSZ = 1792;
    public static final int IORCSZ = 1796;
    public static final int ICDOFF = 1800;
    public static final int FCATT = 1802;
    public static final int MSDBD = 1803;
    public static final int OFCS = 1804;
    public static final int DCTYPE = 1806;
    public static final int CCRL = 1807;
    /** Power State Descriptors 0..NPSS, 32 bytes each (§5.1.13.2.1 Figure 313). */
    public static final int PSD = 2048;
    public static final int PSD_SIZE = 32;
    public static final int VS = 3072;

    /** CNTRLTYPE: an I/O controller (required from NVMe 1.4 on). */
    public static final int CNTRLTYPE_IO = 1;

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

    // Typed reads of any field by its offset (the constants above), for tools that show every field.

    @Override
    public long unsigned(final int field, final int width)
    {
        return StructFields.unsigned(buffer, offset + field, width);
    }

    /** A 16-byte little-endian count (TNVMCAP, UNVMCAP, MEGCAP, MAXDNA). */
    @Override
    public BigInteger unsigned128(final int field)
    {
        return StructFields.unsigned128(buffer, offset + field);
    }

    /** {@code length} raw bytes of a field, in the order they lie in the structure. */
    @Override
    public byte[] bytes(final int field, final int length)
    {
        return StructFields.bytes(buffer, offset + field, length);
    }

    /** An ASCII field up to its first NUL, padding kept (nvme-cli shows it so). */
    public String asciiPadded(final int field, final int length)
    {
        return StructFields.asciiPadded(buffer, offset + field, length);
    }

    /** NPSS: the number of power states, zero-based. */
    public int powerStateCount()
    {
        return unsigned8(NPSS) + 1;
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

    public IdentifyController controllerType(final int type)
    {
        buffer.putByte(offset + CNTRLTYPE, (byte)type);
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
