package io.nvmeq.hw.emu;

import io.nvmeq.hw.nativeio.NativeException;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The admin command set (NVMe base spec 2.0 §5): queue creation and deletion, Identify, Get Log Page,
 * features (Arbitration, Volatile Write Cache, Number of Queues, Interrupt Coalescing, Interrupt Vector
 * Configuration), Abort and Asynchronous Event
 * Request. Runs only on the admin submission queue, whose lock serialises it; errors a retry cannot
 * fix carry Do Not Retry.
 */
final class AdminCommands implements CommandSet
{
    /** Abort Command Limit and Asynchronous Event Request Limit reported in Identify (one-based). */
    static final int ABORT_LIMIT = 4;
    static final int ASYNC_EVENT_LIMIT = AsyncEvents.LIMIT;
    private static final int NOT_SET = -1;
    /** Arbitration (feature 01h) as the host set it; round robin only, so the value is kept, not used. */
    private static final int DEFAULT_ARBITRATION = 0;

    private final EmulatedController controller;
    private final IdentifyData identify;
    private final LogPages logPages;
    private final AsyncEvents asyncEvents;
    private final EmulatorCounters counters;
    private final Interrupts interrupts;

    /** I/O queues granted by Set Features Number of Queues (one-based), or NOT_SET. */
    private int grantedSubmissionQueues = NOT_SET;
    private int grantedCompletionQueues = NOT_SET;
    private volatile boolean writeCacheEnabled = true;
    private int arbitration = DEFAULT_ARBITRATION;

    AdminCommands(final EmulatedController controller)
    {
        this.controller = controller;
        this.identify = new IdentifyData(controller);
        this.logPages = new LogPages(controller);
        this.asyncEvents = controller.asyncEvents();
        this.counters = controller.counters();
        this.interrupts = controller.interruptState();
    }

    boolean writeCacheEnabled()
    {
        return writeCacheEnabled;
    }

    /** Controller reset: negotiated and held state goes back to its defaults. Called with the admin SQ gone. */
    void reset()
    {
        synchronized (this)
        {
            grantedSubmissionQueues = NOT_SET;
            grantedCompletionQueues = NOT_SET;
            writeCacheEnabled = true;
            arbitration = DEFAULT_ARBITRATION;
        }
        asyncEvents.reset();
    }

    @Override
    public int execute(final CommandContext context)
    {
        counters.adminCommands.incrementAndGet();
        final SubmissionEntry entry = context.entry;
        // FUSE must be 0 and PSDT must select PRPs: admin commands never use SGLs on PCIe.
        if (entry.flags() != 0)
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        synchronized (this)
        {
            switch (entry.opcode())
            {
                case Opcodes.ADMIN_IDENTIFY:
                    return identify.execute(context);
                case Opcodes.ADMIN_CREATE_IO_CQ:
                    return createCompletionQueue(entry);
                case Opcodes.ADMIN_CREATE_IO_SQ:
                    return createSubmissionQueue(entry);
                case Opcodes.ADMIN_DELETE_IO_SQ:
                    return deleteSubmissionQueue(entry);
                case Opcodes.ADMIN_DELETE_IO_CQ:
                    return deleteCompletionQueue(entry);
                case Opcodes.ADMIN_SET_FEATURES:
                    return setFeatures(context);
                case Opcodes.ADMIN_GET_FEATURES:
                    return getFeatures(context);
                case Opcodes.ADMIN_GET_LOG_PAGE:
                    return logPages.execute(context);
                case Opcodes.ADMIN_ABORT:
                    return abort(context);
                case Opcodes.ADMIN_ASYNC_EVENT_REQUEST:
                    return asyncEvents.request(context);
                default:
                    return Status.withDnr(Status.INVALID_OPCODE);
            }
        }
    }

    /**
     * Abort (§5.1): CDW10 SQID (15:0) and CID (31:16). A command whose completion the controller still
     * holds (its modelled time has not come, or its completion was dropped) completes now with Command
     * Abort Requested and DW0 bit 0 of the Abort is 0; otherwise bit 0 is 1, "not aborted" (the command
     * completed already or never existed). Data a Write moved at submission stays written.
     */
    private int abort(final CommandContext context)
    {
        final int cdw10 = context.entry.cdw(10);
        final int sqId = cdw10 & 0xFFFF;
        final int cid = cdw10 >>> 16;
        final boolean aborted;
        if (sqId == EmulatedController.ADMIN_QUEUE_ID)
        {
            final CompletionQueue adminCq = controller.completionQueue(EmulatedController.ADMIN_QUEUE_ID);
            aborted = asyncEvents.abort(cid) || (adminCq != null && adminCq.abort(sqId, cid, Status.ABORT_REQUESTED));
        }
        else
        {
            final SubmissionQueue sq = controller.submissionQueue(sqId);
            aborted = sq != null && sq.cq.abort(sqId, cid, Status.ABORT_REQUESTED);
        }
        context.dw0 = aborted ? 0 : 1;
        return Status.SUCCESS;
    }

    /** I/O queue identifiers the host may use: 1..granted, or 1..the controller's maximum before Set Features. */
    private int submissionQueueLimit()
    {
        return grantedSubmissionQueues == NOT_SET ? controller.config().maxIoQueuePairs() : grantedSubmissionQueues;
    }

    private int completionQueueLimit()
    {
        return grantedCompletionQueues == NOT_SET ? controller.config().maxIoQueuePairs() : grantedCompletionQueues;
    }

    /**
     * Create I/O Completion Queue (§5.4): CDW11 IV (31:16) names the vector, IEN (bit 1) enables it.
     * An IV the controller does not have is refused whether or not IEN is set (as QEMU's NVMe does).
     */
    private int createCompletionQueue(final SubmissionEntry entry)
    {
        final int cdw10 = entry.cdw(10);
        final int cdw11 = entry.cdw(11);
        final int qid = cdw10 & 0xFFFF;
        final int entries = (cdw10 >>> 16) + 1;
        if (qid == 0 || qid > completionQueueLimit() || controller.completionQueue(qid) != null)
        {
            return Status.withDnr(Status.INVALID_QUEUE_ID);
        }
        final int status = checkQueueShape(entries, cdw11, entry.prp1());
        if (status != Status.SUCCESS)
        {
            return status;
        }
        final int vector = cdw11 >>> 16;
        if (vector >= interrupts.count())
        {
            return Status.withDnr(Status.INVALID_INTERRUPT_VECTOR);
        }
        InterruptVector interrupt = null;
        if ((cdw11 & Opcodes.CQ_INTERRUPTS_ENABLED) != 0)
        {
            try
            {
                interrupt = interrupts.vector(vector);
            }
            catch (final NativeException ex)
            {
                // No eventfd for the vector (EMFILE): nothing was created.
                return Status.INTERNAL_ERROR;
            }
        }
        controller.addCompletionQueue(qid, entry.prp1(), entries, interrupt);
        return Status.SUCCESS;
    }

    /** Create I/O Submission Queue (§5.5). */
    private int createSubmissionQueue(final SubmissionEntry entry)
    {
        final int cdw10 = entry.cdw(10);
        final int cdw11 = entry.cdw(11);
        final int qid = cdw10 & 0xFFFF;
        final int entries = (cdw10 >>> 16) + 1;
        if (qid == 0 || qid > submissionQueueLimit() || controller.submissionQueue(qid) != null)
        {
            return Status.withDnr(Status.INVALID_QUEUE_ID);
        }
        final int status = checkQueueShape(entries, cdw11, entry.prp1());
        if (status != Status.SUCCESS)
        {
            return status;
        }
        final int cqid = cdw11 >>> 16;
        final CompletionQueue cq = cqid == 0 ? null : controller.completionQueue(cqid);
        if (cq == null)
        {
            return Status.withDnr(Status.CQ_INVALID);
        }
        controller.addSubmissionQueue(qid, entry.prp1(), entries, cq);
        return Status.SUCCESS;
    }

    private int checkQueueShape(final int entries, final int cdw11, final long baseIova)
    {
        final int maxEntries = controller.config().maxQueueEntries();
        if (entries < 2 || entries > maxEntries)
        {
            return Status.withDnr(Status.INVALID_QUEUE_SIZE);
        }
        // CAP.CQR = 1: queues must be physically contiguous, and start on a memory page.
        if ((cdw11 & Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS) == 0 || (baseIova & (controller.pageSize() - 1)) != 0)
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        return Status.SUCCESS;
    }

    /**
     * Delete I/O Submission Queue (§5.7): commands of it whose completions the controller still holds
     * complete now with Command Aborted due to SQ Deletion, before the Delete itself completes.
     */
    private int deleteSubmissionQueue(final SubmissionEntry entry)
    {
        final int qid = entry.cdw(10) & 0xFFFF;
        final SubmissionQueue sq = qid == 0 ? null : controller.submissionQueue(qid);
        if (sq == null)
        {
            return Status.withDnr(Status.INVALID_QUEUE_ID);
        }
        controller.removeSubmissionQueue(sq);
        sq.cq.abortAll(qid, Status.ABORTED_SQ_DELETED);
        return Status.SUCCESS;
    }

    /** Delete I/O Completion Queue (§5.6): refused while a submission queue still completes into it. */
    private int deleteCompletionQueue(final SubmissionEntry entry)
    {
        final int qid = entry.cdw(10) & 0xFFFF;
        final CompletionQueue cq = qid == 0 ? null : controller.completionQueue(qid);
        if (cq == null)
        {
            return Status.withDnr(Status.INVALID_QUEUE_ID);
        }
        if (cq.hasAttached())
        {
            return Status.withDnr(Status.INVALID_QUEUE_DELETION);
        }
        controller.removeCompletionQueue(cq);
        return Status.SUCCESS;
    }

    /** Set Features (§5.27). */
    private int setFeatures(final CommandContext context)
    {
        final int cdw10 = context.entry.cdw(10);
        final int cdw11 = context.entry.cdw(11);
        if ((cdw10 & (1 << 31)) != 0)
        {
            return Status.withDnr(Status.FEATURE_NOT_SAVEABLE);
        }
        switch (cdw10 & 0xFF)
        {
            case Opcodes.FEATURE_ARBITRATION:
                // §5.27.1.1: burst (2:0) and weights; weights only matter for weighted round robin.
                arbitration = cdw11;
                return Status.SUCCESS;
            case Opcodes.FEATURE_NUMBER_OF_QUEUES:
            {
                final int nsqr = cdw11 & 0xFFFF;
                final int ncqr = cdw11 >>> 16;
                if (nsqr == 0xFFFF || ncqr == 0xFFFF)
                {
                    return Status.withDnr(Status.INVALID_FIELD);
                }
                // §5.27.1.5: the count cannot change once I/O queues exist.
                if (controller.hasIoQueues())
                {
                    return Status.withDnr(Status.COMMAND_SEQUENCE_ERROR);
                }
                final int max = controller.config().maxIoQueuePairs();
                grantedSubmissionQueues = Math.min(nsqr + 1, max);
                grantedCompletionQueues = Math.min(ncqr + 1, max);
                context.dw0 = numberOfQueues(grantedSubmissionQueues, grantedCompletionQueues);
                return Status.SUCCESS;
            }
            case Opcodes.FEATURE_INTERRUPT_COALESCING:
                // §5.27.1.6: THR (7:0, zero-based entries) and TIME (15:8, 100 µs units).
                interrupts.coalescing(cdw11);
                return Status.SUCCESS;
            case Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION:
            {
                // §5.27.1.7: IV (15:0) and Coalescing Disable (bit 16).
                final int vector = cdw11 & 0xFFFF;
                if (vector >= interrupts.count())
                {
                    return Status.withDnr(Status.INVALID_FIELD);
                }
                interrupts.coalescingDisabled(vector, (cdw11 & Opcodes.COALESCING_DISABLE) != 0);
                return Status.SUCCESS;
            }
            case Opcodes.FEATURE_VOLATILE_WRITE_CACHE:
            {
                final boolean enable = (cdw11 & 1) != 0;
                if (writeCacheEnabled && !enable)
                {
                    // Turning the cache off must not strand data that only the cache held.
                    controller.flushAll();
                }
                writeCacheEnabled = enable;
                return Status.SUCCESS;
            }
            default:
                return Status.withDnr(Status.INVALID_FIELD);
        }
    }

    /** Get Features (§5.15); SEL 0 current, 1 default, 2 saved (= default, nothing is saveable), 3 capabilities. */
    private int getFeatures(final CommandContext context)
    {
        final int cdw10 = context.entry.cdw(10);
        final int select = (cdw10 >>> 8) & 0x7;
        if (select > 3)
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        final boolean current = select == 0;
        switch (cdw10 & 0xFF)
        {
            case Opcodes.FEATURE_ARBITRATION:
                context.dw0 = select == 3 ? 1 << 2 : current ? arbitration : DEFAULT_ARBITRATION;
                return Status.SUCCESS;
            case Opcodes.FEATURE_NUMBER_OF_QUEUES:
            {
                if (select == 3)
                {
                    context.dw0 = 0;
                    return Status.SUCCESS;
                }
                final int max = controller.config().maxIoQueuePairs();
                final int sq = current && grantedSubmissionQueues != NOT_SET ? grantedSubmissionQueues : max;
                final int cq = current && grantedCompletionQueues != NOT_SET ? grantedCompletionQueues : max;
                context.dw0 = numberOfQueues(sq, cq);
                return Status.SUCCESS;
            }
            case Opcodes.FEATURE_INTERRUPT_COALESCING:
                context.dw0 = select == 3 ? 1 << 2 : current ? interrupts.coalescing() : 0;
                return Status.SUCCESS;
            case Opcodes.FEATURE_INTERRUPT_VECTOR_CONFIGURATION:
            {
                final int vector = context.entry.cdw(11) & 0xFFFF;
                if (vector >= interrupts.count())
                {
                    return Status.withDnr(Status.INVALID_FIELD);
                }
                final boolean disabled = current && interrupts.coalescingDisabled(vector);
                context.dw0 = select == 3 ? 1 << 2 : vector | (disabled ? Opcodes.COALESCING_DISABLE : 0);
                return Status.SUCCESS;
            }
            case Opcodes.FEATURE_VOLATILE_WRITE_CACHE:
                if (select == 3)
                {
                    context.dw0 = 1 << 2; // changeable
                    return Status.SUCCESS;
                }
                context.dw0 = !current || writeCacheEnabled ? 1 : 0;
                return Status.SUCCESS;
            default:
                return Status.withDnr(Status.INVALID_FIELD);
        }
    }

    /** DW0 of Number of Queues: NCQA in 31:16 and NSQA in 15:0, both zero-based. */
    private static int numberOfQueues(final int submissionQueues, final int completionQueues)
    {
        return ((completionQueues - 1) << 16) | (submissionQueues - 1);
    }
}
