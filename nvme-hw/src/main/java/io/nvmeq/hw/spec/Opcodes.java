package io.nvmeq.hw.spec;

/** Command opcodes (NVMe base spec 2.0 §5 admin commands; NVM command set spec 1.0 §3 I/O commands). */
public final class Opcodes
{
    // Admin command set
    public static final int ADMIN_DELETE_IO_SQ = 0x00;
    public static final int ADMIN_CREATE_IO_SQ = 0x01;
    public static final int ADMIN_GET_LOG_PAGE = 0x02;
    public static final int ADMIN_DELETE_IO_CQ = 0x04;
    public static final int ADMIN_CREATE_IO_CQ = 0x05;
    public static final int ADMIN_IDENTIFY = 0x06;
    public static final int ADMIN_ABORT = 0x08;
    public static final int ADMIN_SET_FEATURES = 0x09;
    public static final int ADMIN_GET_FEATURES = 0x0A;
    public static final int ADMIN_ASYNC_EVENT_REQUEST = 0x0C;

    // NVM command set
    public static final int NVM_FLUSH = 0x00;
    public static final int NVM_WRITE = 0x01;
    public static final int NVM_READ = 0x02;
    public static final int NVM_WRITE_ZEROES = 0x08;
    public static final int NVM_DATASET_MANAGEMENT = 0x09;

    // Identify CNS values (CDW10 bits 7:0)
    public static final int CNS_NAMESPACE = 0x00;
    public static final int CNS_CONTROLLER = 0x01;
    public static final int CNS_ACTIVE_NAMESPACE_LIST = 0x02;

    // Feature identifiers
    public static final int FEATURE_ARBITRATION = 0x01;
    public static final int FEATURE_VOLATILE_WRITE_CACHE = 0x06;
    public static final int FEATURE_NUMBER_OF_QUEUES = 0x07;
    public static final int FEATURE_INTERRUPT_COALESCING = 0x08;
    public static final int FEATURE_INTERRUPT_VECTOR_CONFIGURATION = 0x09;
    /** Interrupt Vector Configuration CDW11 / DW0 bit 16: Coalescing Disable. */
    public static final int COALESCING_DISABLE = 1 << 16;

    // Log page identifiers
    public static final int LOG_ERROR_INFORMATION = 0x01;
    public static final int LOG_SMART_HEALTH = 0x02;
    public static final int LOG_FIRMWARE_SLOT = 0x03;

    /** Read/Write CDW12 bit 30: Force Unit Access. */
    public static final int RW_FUA = 1 << 30;

    /** Create I/O SQ/CQ CDW11 bit 0: physically contiguous. */
    public static final int QUEUE_PHYSICALLY_CONTIGUOUS = 1;
    /** Create I/O CQ CDW11 bit 1: interrupts enabled. */
    public static final int CQ_INTERRUPTS_ENABLED = 1 << 1;

    public static String adminName(final int opcode)
    {
        switch (opcode)
        {
            case ADMIN_DELETE_IO_SQ: return "Delete I/O Submission Queue";
            case ADMIN_CREATE_IO_SQ: return "Create I/O Submission Queue";
            case ADMIN_GET_LOG_PAGE: return "Get Log Page";
            case ADMIN_DELETE_IO_CQ: return "Delete I/O Completion Queue";
            case ADMIN_CREATE_IO_CQ: return "Create I/O Completion Queue";
            case ADMIN_IDENTIFY: return "Identify";
            case ADMIN_ABORT: return "Abort";
            case ADMIN_SET_FEATURES: return "Set Features";
            case ADMIN_GET_FEATURES: return "Get Features";
            case ADMIN_ASYNC_EVENT_REQUEST: return "Asynchronous Event Request";
            default: return "admin opcode 0x" + Integer.toHexString(opcode);
        }
    }

    public static String nvmName(final int opcode)
    {
        switch (opcode)
        {
            case NVM_FLUSH: return "Flush";
            case NVM_WRITE: return "Write";
            case NVM_READ: return "Read";
            case NVM_WRITE_ZEROES: return "Write Zeroes";
            case NVM_DATASET_MANAGEMENT: return "Dataset Management";
            default: return "NVM opcode 0x" + Integer.toHexString(opcode);
        }
    }

    private Opcodes()
    {
    }
}
