package io.nvmeq.engine;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * One admin command as the driver builds it (SPDK's nvme_ctrlr_cmd.c): the opcode and the few fields
 * each admin command uses. The factories below are the only place admin command dwords are encoded;
 * {@link AdminQueuePair} writes the entry and adds the command id.
 *
 * @param opcode admin opcode (NVMe base spec 2.0 Figure 28)
 * @param nsid   namespace id (NSID)
 * @param prp1   data pointer, PRP entry 1 (0 for none)
 * @param cdw10  command dword 10
 * @param cdw11  command dword 11
 */
record AdminCommand(int opcode, int nsid, long prp1, int cdw10, int cdw11)
{
    /** Identify (§5.17) of {@code cns} for namespace {@code nsid} into the 4 KiB page at {@code iova}. */
    static AdminCommand identify(final int cns, final int nsid, final long iova)
    {
        return new AdminCommand(Opcodes.ADMIN_IDENTIFY, nsid, iova, cns, 0);
    }

    /**
     * Create I/O Completion Queue (§5.4), physically contiguous; with interrupts enabled (IEN = 1) on
     * interrupt vector {@code vector} (IV, CDW11 bits 31:16), or off when {@code vector} is negative.
     */
    static AdminCommand createIoCq(final int qid, final int entries, final long iova, final int vector)
    {
        final int interrupts = vector < 0 ? 0 : (vector << 16) | Opcodes.CQ_INTERRUPTS_ENABLED;
        return new AdminCommand(Opcodes.ADMIN_CREATE_IO_CQ, 0, iova, ((entries - 1) << 16) | qid,
            interrupts | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS);
    }

    /** Create I/O Submission Queue (§5.5) bound to the CQ of the same id. */
    static AdminCommand createIoSq(final int qid, final int entries, final long iova)
    {
        return new AdminCommand(Opcodes.ADMIN_CREATE_IO_SQ, 0, iova, ((entries - 1) << 16) | qid,
            (qid << 16) | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS);
    }

    /** Delete I/O Submission Queue (§5.7): the controller completes or aborts what the SQ still holds. */
    static AdminCommand deleteIoSq(final int qid)
    {
        return new AdminCommand(Opcodes.ADMIN_DELETE_IO_SQ, 0, 0, qid, 0);
    }

    /** Delete I/O Completion Queue (§5.6); its SQ must be deleted first. */
    static AdminCommand deleteIoCq(final int qid)
    {
        return new AdminCommand(Opcodes.ADMIN_DELETE_IO_CQ, 0, 0, qid, 0);
    }

    /** Get Log Page (§5.16): {@code bytes} (a multiple of 4) of log {@code logId} into the page at {@code iova}. */
    static AdminCommand getLogPage(final int logId, final int nsid, final int bytes, final long iova)
    {
        final int dwordsZeroBased = bytes / 4 - 1;
        return new AdminCommand(Opcodes.ADMIN_GET_LOG_PAGE, nsid, iova,
            ((dwordsZeroBased & 0xFFFF) << 16) | (logId & 0xFF), dwordsZeroBased >>> 16);
    }

    /** Set Features (§5.27), current value only (SV = 0). */
    static AdminCommand setFeatures(final int featureId, final int cdw11)
    {
        return new AdminCommand(Opcodes.ADMIN_SET_FEATURES, 0, 0, featureId & 0xFF, cdw11);
    }

    /** Get Features (§5.15), current value (SEL = 0). */
    static AdminCommand getFeatures(final int featureId, final int cdw11)
    {
        return new AdminCommand(Opcodes.ADMIN_GET_FEATURES, 0, 0, featureId & 0xFF, cdw11);
    }

    /** Set Features, Number of Queues (§5.27.1.7): {@code wanted} SQs and CQs, zero-based in DW11. */
    static AdminCommand numberOfQueues(final int wanted)
    {
        final int zeroBased = Math.min(wanted, 65535) - 1;
        return setFeatures(Opcodes.FEATURE_NUMBER_OF_QUEUES, (zeroBased << 16) | zeroBased);
    }

    /** Abort (§5.1) of command {@code commandId} on submission queue {@code sqid}. */
    static AdminCommand abort(final int sqid, final int commandId)
    {
        return new AdminCommand(Opcodes.ADMIN_ABORT, 0, 0, (commandId << 16) | (sqid & 0xFFFF), 0);
    }

    /** I/O queues granted by a Number of Queues completion's DW0, at most {@code wanted}. */
    static int grantedQueues(final int dw0, final int wanted)
    {
        final int sqGranted = (dw0 & 0xFFFF) + 1;
        final int cqGranted = (dw0 >>> 16) + 1;
        return Math.min(wanted, Math.min(sqGranted, cqGranted));
    }

    String name()
    {
        return Opcodes.adminName(opcode);
    }

    /** Fills the entry's fields; the caller has cleared it and set the command id. */
    void writeTo(final SubmissionEntry entry)
    {
        entry.opcode(opcode).namespaceId(nsid).prp1(prp1).cdw(10, cdw10).cdw(11, cdw11);
    }
}
