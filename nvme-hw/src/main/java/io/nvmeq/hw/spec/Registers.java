package io.nvmeq.hw.spec;

/**
 * Controller registers in BAR0 (NVMe base specification 2.0, section 3.1 "Register definition")
 * and the bit fields the driver and the emulated controller both use.
 */
public final class Registers
{
    public static final int CAP = 0x00;
    public static final int VS = 0x08;
    public static final int INTMS = 0x0C;
    public static final int INTMC = 0x10;
    public static final int CC = 0x14;
    public static final int CSTS = 0x1C;
    public static final int NSSR = 0x20;
    public static final int AQA = 0x24;
    public static final int ASQ = 0x28;
    public static final int ACQ = 0x30;
    /** First doorbell: SQ 0 tail. */
    public static final int DOORBELL_BASE = 0x1000;

    // CAP (64 bits)
    public static int capMqes(final long cap)
    {
        return (int)(cap & 0xFFFF);
    }

    public static boolean capCqr(final long cap)
    {
        return ((cap >>> 16) & 1) != 0;
    }

    /** CAP.TO is in units of 500 ms. */
    public static long capTimeoutMillis(final long cap)
    {
        return ((cap >>> 24) & 0xFF) * 500L;
    }

    public static int capDstrd(final long cap)
    {
        return (int)((cap >>> 32) & 0xF);
    }

    public static boolean capNvmCommandSet(final long cap)
    {
        return ((cap >>> 37) & 1) != 0;
    }

    /** Minimum memory page size as a power of two (2 ^ (12 + MPSMIN)). */
    public static int capMpsMinShift(final long cap)
    {
        return 12 + (int)((cap >>> 48) & 0xF);
    }

    public static int capMpsMaxShift(final long cap)
    {
        return 12 + (int)((cap >>> 52) & 0xF);
    }

    public static long cap(
        final int mqes, final boolean cqr, final int timeout500ms, final int dstrd,
        final int mpsMinShift, final int mpsMaxShift)
    {
        return (mqes & 0xFFFFL)
            | (cqr ? 1L << 16 : 0)
            | ((timeout500ms & 0xFFL) << 24)
            | ((dstrd & 0xFL) << 32)
            | (1L << 37) // CSS: NVM command set
            | (((mpsMinShift - 12) & 0xFL) << 48)
            | (((mpsMaxShift - 12) & 0xFL) << 52);
    }

    // CC (32 bits)
    public static final int CC_EN = 1;
    public static final int CC_SHN_SHIFT = 14;
    public static final int CC_SHN_MASK = 0x3 << CC_SHN_SHIFT;
    public static final int CC_SHN_NORMAL = 1;
    public static final int CC_SHN_ABRUPT = 2;

    /** CC value for: NVM command set, page size 2^pageShift, round robin, 64-byte SQEs, 16-byte CQEs. */
    public static int ccEnable(final int pageShift)
    {
        return CC_EN
            | ((pageShift - 12) << 7)
            | (6 << 16)   // IOSQES = log2(64)
            | (4 << 20);  // IOCQES = log2(16)
    }

    public static int ccMpsShift(final int cc)
    {
        return 12 + ((cc >>> 7) & 0xF);
    }

    public static int ccIosqes(final int cc)
    {
        return (cc >>> 16) & 0xF;
    }

    public static int ccIocqes(final int cc)
    {
        return (cc >>> 20) & 0xF;
    }

    public static int ccCss(final int cc)
    {
        return (cc >>> 4) & 0x7;
    }

    public static int ccShn(final int cc)
    {
        return (cc & CC_SHN_MASK) >>> CC_SHN_SHIFT;
    }

    // CSTS (32 bits)
    public static final int CSTS_RDY = 1;
    public static final int CSTS_CFS = 1 << 1;
    public static final int CSTS_SHST_SHIFT = 2;
    public static final int CSTS_SHST_MASK = 0x3 << CSTS_SHST_SHIFT;
    public static final int CSTS_SHST_NORMAL = 0;
    public static final int CSTS_SHST_OCCURRING = 1;
    public static final int CSTS_SHST_COMPLETE = 2;

    /**
     * Whether a CSTS value means the controller cannot go on without a reset: CSTS.CFS (Controller Fatal
     * Status, §3.1.3.6), or all ones, which is what a read of a device that is gone returns.
     */
    public static boolean isFatal(final int csts)
    {
        return csts == -1 || (csts & CSTS_CFS) != 0;
    }

    public static int cstsShst(final int csts)
    {
        return (csts & CSTS_SHST_MASK) >>> CSTS_SHST_SHIFT;
    }

    // AQA: admin queue sizes, both zero-based.
    public static int aqa(final int sqEntries, final int cqEntries)
    {
        return ((cqEntries - 1) << 16) | (sqEntries - 1);
    }

    public static int aqaSqEntries(final int aqa)
    {
        return (aqa & 0xFFF) + 1;
    }

    public static int aqaCqEntries(final int aqa)
    {
        return ((aqa >>> 16) & 0xFFF) + 1;
    }

    /** Offset of the SQ y tail doorbell. */
    public static int sqTailDoorbell(final int qid, final int dstrd)
    {
        return DOORBELL_BASE + (2 * qid) * (4 << dstrd);
    }

    /** Offset of the CQ y head doorbell. */
    public static int cqHeadDoorbell(final int qid, final int dstrd)
    {
        return DOORBELL_BASE + (2 * qid + 1) * (4 << dstrd);
    }

    /** Version register value for major.minor.tertiary. */
    public static int version(final int major, final int minor, final int tertiary)
    {
        return (major << 16) | (minor << 8) | tertiary;
    }

    public static String versionString(final int vs)
    {
        return (vs >>> 16) + "." + ((vs >>> 8) & 0xFF) + "." + (vs & 0xFF);
    }

    private Registers()
    {
    }
}
