package io.nvmeq.hw.spec;

/**
 * Completion status (NVMe base spec 2.0 §4.6.1 "Status Field Definition").
 *
 * <p>A status is carried as the 15-bit Status Field of a completion entry, i.e. DW3 bits 31:17
 * shifted down: bits 7:0 Status Code, 10:8 Status Code Type, 12:11 Command Retry Delay,
 * 13 More, 14 Do Not Retry. Zero is success.
 */
public final class Status
{
    public static final int SCT_GENERIC = 0;
    public static final int SCT_COMMAND_SPECIFIC = 1;
    public static final int SCT_MEDIA = 2;
    public static final int SCT_PATH = 3;
    public static final int SCT_VENDOR = 7;

    public static final int DNR = 1 << 14;
    public static final int MORE = 1 << 13;

    // Generic command status (SCT 0), §4.6.1.2.1
    public static final int SUCCESS = 0x00;
    public static final int INVALID_OPCODE = 0x01;
    public static final int INVALID_FIELD = 0x02;
    public static final int COMMAND_ID_CONFLICT = 0x03;
    public static final int DATA_TRANSFER_ERROR = 0x04;
    public static final int ABORTED_POWER_LOSS = 0x05;
    public static final int INTERNAL_ERROR = 0x06;
    public static final int ABORT_REQUESTED = 0x07;
    public static final int ABORTED_SQ_DELETED = 0x08;
    public static final int ABORTED_FUSED_FAILED = 0x09;
    public static final int ABORTED_FUSED_MISSING = 0x0A;
    public static final int INVALID_NAMESPACE = 0x0B;
    public static final int COMMAND_SEQUENCE_ERROR = 0x0C;
    public static final int INVALID_SGL_DESCRIPTOR = 0x0D;
    public static final int INVALID_PRP_OFFSET = 0x13;
    public static final int LBA_OUT_OF_RANGE = 0x80;
    public static final int CAPACITY_EXCEEDED = 0x81;
    public static final int NAMESPACE_NOT_READY = 0x82;

    // Command specific status (SCT 1), §4.6.1.2.2
    public static final int CQ_INVALID = (SCT_COMMAND_SPECIFIC << 8) | 0x00;
    public static final int INVALID_QUEUE_ID = (SCT_COMMAND_SPECIFIC << 8) | 0x01;
    public static final int INVALID_QUEUE_SIZE = (SCT_COMMAND_SPECIFIC << 8) | 0x02;
    public static final int ABORT_COMMAND_LIMIT_EXCEEDED = (SCT_COMMAND_SPECIFIC << 8) | 0x03;
    public static final int ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED = (SCT_COMMAND_SPECIFIC << 8) | 0x05;
    public static final int INVALID_INTERRUPT_VECTOR = (SCT_COMMAND_SPECIFIC << 8) | 0x08;
    public static final int INVALID_LOG_PAGE = (SCT_COMMAND_SPECIFIC << 8) | 0x09;
    public static final int INVALID_QUEUE_DELETION = (SCT_COMMAND_SPECIFIC << 8) | 0x0C;
    public static final int FEATURE_NOT_SAVEABLE = (SCT_COMMAND_SPECIFIC << 8) | 0x0D;
    public static final int CONFLICTING_ATTRIBUTES = (SCT_COMMAND_SPECIFIC << 8) | 0x80;
    public static final int INVALID_PROTECTION_INFO = (SCT_COMMAND_SPECIFIC << 8) | 0x81;
    public static final int WRITE_TO_READ_ONLY_RANGE = (SCT_COMMAND_SPECIFIC << 8) | 0x82;

    // Media and data integrity errors (SCT 2), §4.6.1.2.3
    public static final int WRITE_FAULT = (SCT_MEDIA << 8) | 0x80;
    public static final int UNRECOVERED_READ_ERROR = (SCT_MEDIA << 8) | 0x81;

    public static boolean isSuccess(final int status)
    {
        return (status & 0x7FF) == 0;
    }

    public static int statusCode(final int status)
    {
        return status & 0xFF;
    }

    public static int statusCodeType(final int status)
    {
        return (status >>> 8) & 0x7;
    }

    /** The type and code without the retry hints: comparable to the constants in this class. */
    public static int codeOf(final int status)
    {
        return status & 0x7FF;
    }

    public static boolean doNotRetry(final int status)
    {
        return (status & DNR) != 0;
    }

    /** The status with Do Not Retry set, as a controller reports errors a retry cannot fix. */
    public static int withDnr(final int code)
    {
        return code | DNR;
    }

    /** The specification's name of a status, e.g. "LBA Out of Range". */
    public static String describe(final int status)
    {
        switch (codeOf(status))
        {
            case SUCCESS: return "Successful Completion";
            case INVALID_OPCODE: return "Invalid Command Opcode";
            case INVALID_FIELD: return "Invalid Field in Command";
            case COMMAND_ID_CONFLICT: return "Command ID Conflict";
            case DATA_TRANSFER_ERROR: return "Data Transfer Error";
            case ABORTED_POWER_LOSS: return "Commands Aborted due to Power Loss Notification";
            case INTERNAL_ERROR: return "Internal Error";
            case ABORT_REQUESTED: return "Command Abort Requested";
            case ABORTED_SQ_DELETED: return "Command Aborted due to SQ Deletion";
            case ABORTED_FUSED_FAILED: return "Command Aborted due to Failed Fused Command";
            case ABORTED_FUSED_MISSING: return "Command Aborted due to Missing Fused Command";
            case INVALID_NAMESPACE: return "Invalid Namespace or Format";
            case COMMAND_SEQUENCE_ERROR: return "Command Sequence Error";
            case INVALID_SGL_DESCRIPTOR: return "Invalid SGL Segment Descriptor";
            case INVALID_PRP_OFFSET: return "PRP Offset Invalid";
            case LBA_OUT_OF_RANGE: return "LBA Out of Range";
            case CAPACITY_EXCEEDED: return "Capacity Exceeded";
            case NAMESPACE_NOT_READY: return "Namespace Not Ready";
            case CQ_INVALID: return "Completion Queue Invalid";
            case INVALID_QUEUE_ID: return "Invalid Queue Identifier";
            case INVALID_QUEUE_SIZE: return "Invalid Queue Size";
            case ABORT_COMMAND_LIMIT_EXCEEDED: return "Abort Command Limit Exceeded";
            case ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED: return "Asynchronous Event Request Limit Exceeded";
            case INVALID_INTERRUPT_VECTOR: return "Invalid Interrupt Vector";
            case INVALID_LOG_PAGE: return "Invalid Log Page";
            case INVALID_QUEUE_DELETION: return "Invalid Queue Deletion";
            case FEATURE_NOT_SAVEABLE: return "Feature Identifier Not Saveable";
            case CONFLICTING_ATTRIBUTES: return "Conflicting Attributes";
            case INVALID_PROTECTION_INFO: return "Invalid Protection Information";
            case WRITE_TO_READ_ONLY_RANGE: return "Attempted Write to Read Only Range";
            case WRITE_FAULT: return "Write Fault";
            case UNRECOVERED_READ_ERROR: return "Unrecovered Read Error";
            default:
                return "Status (SCT " + statusCodeType(status) + ", SC 0x" + Integer.toHexString(statusCode(status)) + ")";
        }
    }

    private Status()
    {
    }
}
