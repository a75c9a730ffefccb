package io.nvmeq.hw.emu;

import java.util.concurrent.atomic.AtomicReferenceArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.device.Iommu;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.MemoryPage;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * A software NVMe controller behind BAR0 registers and an emulated IOMMU: the embedded default device.
 * A driver reaches it only through {@link #registers()}, {@link #iommu()}, {@link #poll(int)} and the
 * eventfds of {@link #interrupts()}, as it would real hardware. Tests reach its {@link #faults() fault injector} and {@link #counters() counters}.
 *
 * <p>By default it has no thread of its own (a third spinning thread would distort every measurement on a
 * small machine): an SQ tail doorbell write executes the new commands
 * on the writer's thread (data moves then) and posts their completions, or, under a
 * {@link LatencyModel} or an injected delay, schedules them; {@link #poll(int)} posts the scheduled
 * completions whose time has come, and a CQ head doorbell write or a poll resumes submission queues
 * that were held back by a full completion queue. Each queue pair has its own lock, so queue pairs run
 * concurrently on different threads; controller state changes (CC writes) are serialised on this object.
 *
 * <p>With {@link EmulatorConfig#deviceThreads() device threads} it works as hardware does, beside the
 * host: a doorbell write records the tail and wakes a {@link DeviceCores device core}, which executes
 * and completes. A reset, a shutdown's queue deletion or {@link #close()} deletes the queues first, which
 * waits for the command a core executes: once it returns, no core touches host memory.
 */
public final class EmulatedController implements NvmeDevice
{
    /** Identify VID/SSVID: not a registered PCI vendor, so no driver applies another device's quirks. */
    public static final int VENDOR_ID = 0x4E51;
    public static final int CONTROLLER_ID = 1;
    public static final int ADMIN_QUEUE_ID = 0;

    private static final Logger LOG = LoggerFactory.getLogger(EmulatedController.class);

    private final EmulatorConfig config;
    private final String uri;
    private final EmulatedIommu iommu;
    private final EmulatedRegisters registers;
    private final EmulatorCounters counters = new EmulatorCounters();
    private final Interrupts interrupts;
    private final FaultInjector faults = new FaultInjector(this);
    private final ServiceChannels channels;
    private final ErrorLog errorLog = new ErrorLog();
    private final AsyncEvents asyncEvents = new AsyncEvents(this);
    private final BackingStores stores;
    private final Namespace[] namespaces;
    private final AtomicReferenceArray<SubmissionQueue> submissionQueues;
    private final AtomicReferenceArray<CompletionQueue> completionQueues;
    private final AdminCommands adminCommands;
    private final NvmCommands nvmCommands;
    private final long maxTransferBytes;
    /** The device's own threads, or null: commands run on the doorbell writer's thread. */
    private final DeviceCores cores;

    /** Memory page size the host chose in CC.MPS at enable. */
    private volatile int pageSize = MemoryPage.SIZE;
    private volatile boolean closed;
    /** Surprise removal: the device is gone, registers read all-ones. */
    private volatile boolean removed;

    private EmulatedController(final BackingStores stores, final String uri)
    {
        this.config = stores.config();
        this.uri = uri;
        this.iommu = new EmulatedIommu(config.iovaLimit(), config.mappingLimit());
        this.interrupts = new Interrupts(this, config.maxIoQueuePairs());
        this.registers = new EmulatedRegisters(this, config.maxQueueEntries(), interrupts);
        this.channels = new ServiceChannels(config.latency());
        this.stores = stores;
        this.namespaces = new Namespace[config.namespaces()];
        for (int i = 0; i < namespaces.length; i++)
        {
            namespaces[i] = new Namespace(i + 1, stores.storeOf(i), stores.baseOffset(i), config.blocksPerNamespace(),
                config.blockSize());
        }
        this.submissionQueues = new AtomicReferenceArray<>(config.maxIoQueuePairs() + 1);
        this.completionQueues = new AtomicReferenceArray<>(config.maxIoQueuePairs() + 1);
        // MDTS is in units of the minimum page size (4 KiB); without MDTS, the 16-bit NLB bounds a transfer.
        this.maxTransferBytes = config.mdts() == 0
            ? (65536L * config.blockSize())
            : (long)MemoryPage.SIZE << config.mdts();
        this.adminCommands = new AdminCommands(this);
        this.nvmCommands = new NvmCommands(this);
        for (final FaultSpec fault : config.faults())
        {
            fault.applyTo(faults);
        }
        this.cores = config.deviceThreads() == 0 ? null : new DeviceCores(this, config.deviceThreads(), uri);
    }

    /**
     * Builds a controller, disabled (CC.EN = 0, CSTS.RDY = 0), with zeroed or file-backed namespaces.
     * An {@code emu:file:} image is opened (and locked) here; its recorded geometry wins over defaults.
     *
     * @throws ImageFileException if the image cannot be opened as the configuration asks
     */
    public static EmulatedController create(final EmulatorConfig config, final String uri)
    {
        return create(BackingStores.open(config, uri), uri);
    }

    /** Over stores opened already (tests hand in stores that fail as real files can); closes them on failure. */
    static EmulatedController create(final BackingStores stores, final String uri)
    {
        try
        {
            final EmulatedController controller = new EmulatedController(stores, uri);
            if (controller.cores != null)
            {
                controller.cores.start();
            }
            return controller;
        }
        catch (final RuntimeException | Error ex)
        {
            stores.close();
            throw ex;
        }
    }

    @Override
    public String uri()
    {
        return uri;
    }

    @Override
    public int defaultNamespace()
    {
        return 1;
    }

    @Override
    public RegisterSpace registers()
    {
        return registers;
    }

    @Override
    public EmulatedIommu iommu()
    {
        return iommu;
    }

    /** MSI-X vectors as eventfds; see {@link Interrupts} for what is modelled. */
    @Override
    public InterruptVectors interrupts()
    {
        return interrupts;
    }

    public EmulatorConfig config()
    {
        return config;
    }

    public EmulatorCounters counters()
    {
        return counters;
    }

    /** The fault injector: what a test arms here, the host sees through registers and completions. */
    public FaultInjector faults()
    {
        return faults;
    }

    /** Whether the device was surprise-removed ({@link FaultInjector#surpriseRemoval()}). */
    public boolean isRemoved()
    {
        return removed;
    }

    /**
     * Posts the completions of CQ {@code cqId} whose modelled time has come, then lets submission
     * queues that stalled on it run again. With no latency model and nothing stalled, a few volatile reads.
     */
    @Override
    public void poll(final int cqId)
    {
        if (cqId < 0 || cqId >= completionQueues.length() || removed)
        {
            return;
        }
        final CompletionQueue cq = completionQueues.get(cqId);
        if (cq != null && isRunning())
        {
            cq.postDue();
            cq.resumeStalled(cores);
            cq.tickInterrupt();
        }
    }

    /**
     * The earliest of CQ {@code cqId}'s next modelled completion and its vector's coalescing deadline;
     * Long.MAX_VALUE when nothing waits (a dropped completion waits forever: only a timeout ends it).
     */
    @Override
    public long nextPollDeadline(final int cqId)
    {
        final CompletionQueue cq = completionQueue(cqId);
        return cq == null ? Long.MAX_VALUE : Math.min(cq.nextDue(), cq.interruptDeadline());
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        dropQueues();
        if (cores != null)
        {
            cores.stop();
        }
        interrupts.close();
        registers.csts.set(0);
        try
        {
            flushAll();
        }
        catch (final RuntimeException ex)
        {
            // A host that shut down cleanly was told at CC.SHN (CSTS.CFS); one that did not gets what a
            // power cut gives. Either way the stores must close: throwing here would leave them open.
            LOG.error("emulated controller {}: data written since the last successful flush may be lost", uri, ex);
        }
        stores.close();
    }

    // ---- for the command sets and queues of this package

    Namespace namespace(final int nsid)
    {
        return nsid >= 1 && nsid <= namespaces.length ? namespaces[nsid - 1] : null;
    }

    /** Queue ids 0..queueSlots()-1 may exist (the admin queue and every I/O queue the controller grants). */
    int queueSlots()
    {
        return submissionQueues.length();
    }

    int namespaceCount()
    {
        return namespaces.length;
    }

    long maxTransferBytes()
    {
        return maxTransferBytes;
    }

    /** Volatile Write Cache feature (Set Features 06h): when off, every write is durable on completion. */
    boolean writeCacheEnabled()
    {
        return adminCommands.writeCacheEnabled();
    }

    int pageSize()
    {
        return pageSize;
    }

    ServiceChannels channels()
    {
        return channels;
    }

    ErrorLog errorLog()
    {
        return errorLog;
    }

    AsyncEvents asyncEvents()
    {
        return asyncEvents;
    }

    Interrupts interruptState()
    {
        return interrupts;
    }

    /**
     * Vector 0 was just created: the admin completion queue signals it from now on. No monitor (the
     * admin queue's thread calls this holding its queue lock, which a reset under the monitor takes):
     * {@link #enable} looks for vector 0 again after publishing a new admin queue, so one of the two sees the other.
     */
    void routeAdminInterrupts(final InterruptVector vector)
    {
        final CompletionQueue adminCq = completionQueues.get(ADMIN_QUEUE_ID);
        if (adminCq != null)
        {
            adminCq.routeTo(vector);
        }
    }

    /** Time the medium spent serving commands under the latency model (SMART Controller Busy Time). */
    long busyNanos()
    {
        return channels.busyNanos();
    }

    /** Commands are executed only while the controller is ready, not failed and present. */
    boolean isRunning()
    {
        return (registers.csts.get() & (Registers.CSTS_RDY | Registers.CSTS_CFS)) == Registers.CSTS_RDY && !removed;
    }

    /** Surprise removal; see {@link FaultInjector#surpriseRemoval()}. */
    void remove()
    {
        if (!removed)
        {
            removed = true;
            LOG.warn("emulated controller {} was surprise-removed (fault injected)", uri);
        }
    }

    SubmissionQueue submissionQueue(final int qid)
    {
        return qid >= 0 && qid < submissionQueues.length() ? submissionQueues.get(qid) : null;
    }

    CompletionQueue completionQueue(final int qid)
    {
        return qid >= 0 && qid < completionQueues.length() ? completionQueues.get(qid) : null;
    }

    /** Whether any I/O queue exists (Set Features Number of Queues is then refused). */
    boolean hasIoQueues()
    {
        for (int i = 1; i < submissionQueues.length(); i++)
        {
            if (submissionQueues.get(i) != null || completionQueues.get(i) != null)
            {
                return true;
            }
        }
        return false;
    }

    /** {@code vector}: the interrupt vector it signals (IEN = 1), or null. */
    void addCompletionQueue(final int qid, final long baseIova, final int size, final InterruptVector vector)
    {
        completionQueues.set(qid, new CompletionQueue(qid, baseIova, size, this, vector));
    }

    void addSubmissionQueue(final int qid, final long baseIova, final int size, final CompletionQueue cq)
    {
        final SubmissionQueue sq = new SubmissionQueue(
            qid, baseIova, size, cq, nvmCommands, this, new PrpList(iommu, faults, pageSize, maxTransferBytes));
        cq.attach(sq);
        submissionQueues.set(qid, sq);
    }

    void removeSubmissionQueue(final SubmissionQueue sq)
    {
        sq.delete();
        sq.cq.detach(sq);
        submissionQueues.compareAndSet(sq.qid, sq, null);
    }

    void removeCompletionQueue(final CompletionQueue cq)
    {
        cq.delete();
        completionQueues.compareAndSet(cq.qid, cq, null);
    }

    void flushAll()
    {
        for (final BlockStore store : stores.stores())
        {
            store.flush();
        }
    }

    /** Controller Fatal Status: the host must reset the controller (NVMe base spec 2.0 §10.5). */
    void fatal(final String reason)
    {
        // No monitor here: a queue thread calls this under its queue lock, which a reset may be waiting for.
        int current;
        do
        {
            current = registers.csts.get();
            if ((current & Registers.CSTS_RDY) == 0)
            {
                return;
            }
        }
        while (!registers.csts.compareAndSet(current, current | Registers.CSTS_CFS));
        if ((current & Registers.CSTS_CFS) == 0)
        {
            LOG.error("emulated controller {} failed: {}", uri, reason);
        }
    }

    // ---- register side effects

    synchronized void writeCc(final int value)
    {
        final int old = registers.cc;
        registers.cc = value;
        if (closed)
        {
            return;
        }
        final boolean wasEnabled = (old & Registers.CC_EN) != 0;
        final boolean enabled = (value & Registers.CC_EN) != 0;
        if (!wasEnabled && enabled)
        {
            enable(value);
        }
        else if (wasEnabled && !enabled)
        {
            reset();
        }
        if (enabled && Registers.ccShn(old) == 0 && Registers.ccShn(value) != 0)
        {
            shutdown();
        }
    }

    /**
     * An SQ tail doorbell. Invalid writes are ignored and, while the controller runs, reported as an
     * error event (§3.1.3.x doorbells, §5.2): to a queue that does not exist, "Write to Invalid
     * Doorbell Register"; a value past the ring or one that would overrun, "Invalid Doorbell Write Value".
     */
    void sqTailDoorbell(final int qid, final int value)
    {
        final SubmissionQueue sq = submissionQueue(qid);
        if (sq == null || !isRunning())
        {
            invalidDoorbell(qid, AsyncEvents.INVALID_DOORBELL_REGISTER);
        }
        else if (cores == null ? !sq.tailDoorbell(value) : !sq.recordTail(value))
        {
            invalidDoorbell(qid, AsyncEvents.INVALID_DOORBELL_VALUE);
        }
        else if (cores != null)
        {
            cores.doorbell(qid);
        }
    }

    /** A CQ head doorbell; invalid writes as for {@link #sqTailDoorbell}. */
    void cqHeadDoorbell(final int qid, final int value)
    {
        final CompletionQueue cq = completionQueue(qid);
        if (cq == null || !isRunning())
        {
            invalidDoorbell(qid, AsyncEvents.INVALID_DOORBELL_REGISTER);
            return;
        }
        if (!cq.headDoorbell(value))
        {
            invalidDoorbell(qid, AsyncEvents.INVALID_DOORBELL_VALUE);
            return;
        }
        cq.resumeStalled(cores);
    }

    /** A doorbell at an offset that is not a doorbell (misaligned). */
    void invalidDoorbellRegister()
    {
        invalidDoorbell(ErrorLog.NOT_SPECIFIC, AsyncEvents.INVALID_DOORBELL_REGISTER);
    }

    private void invalidDoorbell(final int qid, final int info)
    {
        counters.invalidDoorbellWrites.incrementAndGet();
        if (isRunning())
        {
            errorLog.record(qid, ErrorLog.NOT_SPECIFIC, Status.withDnr(Status.INVALID_FIELD), 0, 0);
            asyncEvents.raiseError(info, Opcodes.LOG_ERROR_INFORMATION);
        }
    }

    /** CC.EN 0 → 1 (NVMe base spec 2.0 §3.5.1 "Memory-based Controller Initialization"). */
    private void enable(final int cc)
    {
        final String invalid = invalidEnable(cc);
        if (invalid != null)
        {
            LOG.warn("emulated controller {}: enable refused, {}", uri, invalid);
            registers.csts.set(Registers.CSTS_CFS);
            return;
        }
        pageSize = 1 << Registers.ccMpsShift(cc);
        final int aqa = registers.aqa;
        final CompletionQueue adminCq = new CompletionQueue(
            ADMIN_QUEUE_ID, registers.acq, Registers.aqaCqEntries(aqa), this, null);
        completionQueues.set(ADMIN_QUEUE_ID, adminCq);
        final SubmissionQueue adminSq = new SubmissionQueue(
            ADMIN_QUEUE_ID, registers.asq, Registers.aqaSqEntries(aqa), adminCq, adminCommands, this,
            new PrpList(iommu, faults, pageSize, maxTransferBytes));
        adminCq.attach(adminSq);
        submissionQueues.set(ADMIN_QUEUE_ID, adminSq);
        final InterruptVector adminVector = interrupts.existing(ADMIN_QUEUE_ID);
        if (adminVector != null)
        {
            adminCq.routeTo(adminVector);
        }
        registers.csts.set(Registers.CSTS_RDY);
    }

    private String invalidEnable(final int cc)
    {
        final int mpsShift = Registers.ccMpsShift(cc);
        if (mpsShift < Registers.capMpsMinShift(registers.cap) || mpsShift > Registers.capMpsMaxShift(registers.cap))
        {
            return "CC.MPS page size 2^" + mpsShift + " is outside CAP.MPSMIN..MPSMAX";
        }
        if (Registers.ccCss(cc) != 0)
        {
            return "CC.CSS " + Registers.ccCss(cc) + " is not the NVM command set";
        }
        if (((cc >>> 11) & 0x7) != 0)
        {
            return "CC.AMS " + ((cc >>> 11) & 0x7) + ": only round robin arbitration is supported";
        }
        if (Registers.ccIosqes(cc) != 6 || Registers.ccIocqes(cc) != 4)
        {
            return "CC.IOSQES/IOCQES must be 6/4 (64-byte SQ and 16-byte CQ entries), not "
                + Registers.ccIosqes(cc) + "/" + Registers.ccIocqes(cc);
        }
        final int aqa = registers.aqa;
        if (Registers.aqaSqEntries(aqa) < 2 || Registers.aqaCqEntries(aqa) < 2)
        {
            return "AQA: admin queues need at least 2 entries";
        }
        return null;
    }

    /**
     * CC.EN 1 → 0: a Controller Reset (NVMe base spec 2.0 §3.7.2). Every I/O and admin queue is dropped
     * and every outstanding command aborted: completions the controller still held are never posted.
     */
    private void reset()
    {
        dropQueues();
        adminCommands.reset();
        interrupts.reset();
        channels.reset();
        // RDY and CFS clear; SHST stays until the next enable so a host can still read it after disabling.
        registers.csts.set(registers.csts.get() & Registers.CSTS_SHST_MASK);
    }

    /**
     * CC.SHN: every command has executed already (data moves at submission); make the data durable,
     * then report the shutdown complete (§3.6.1). Completions still held are posted by later polls.
     * If the data cannot be made durable the shutdown never completes: the controller reports
     * Controller Fatal Status instead (§3.1.3.6, CSTS.CFS: a fatal error that no completion queue entry
     * can carry), so the host learns it at once rather than after waiting out CAP.TO.
     */
    private void shutdown()
    {
        setShutdownStatus(Registers.CSTS_SHST_OCCURRING);
        if (cores != null)
        {
            // What the cores fetched or may still fetch executes before the flush: a core's batch in
            // progress holds its queue's lock, so this waits for it, then runs what is left here.
            for (int i = 0; i < submissionQueues.length(); i++)
            {
                final SubmissionQueue sq = submissionQueues.get(i);
                if (sq != null)
                {
                    sq.process();
                }
            }
        }
        try
        {
            flushAll();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("emulated controller {}: shutdown could not make written data durable", uri, ex);
            fatal("shutdown flush failed: " + ex.getMessage());
            return;
        }
        setShutdownStatus(Registers.CSTS_SHST_COMPLETE);
    }

    private void setShutdownStatus(final int shst)
    {
        int current;
        do
        {
            current = registers.csts.get();
        }
        while (!registers.csts.compareAndSet(
            current, (current & ~Registers.CSTS_SHST_MASK) | (shst << Registers.CSTS_SHST_SHIFT)));
    }

    /**
     * Deletes every queue, the admin queue first: that waits for an admin command in progress (on a
     * device core or another host thread), so none can create a queue behind this sweep. Deleting an
     * SQ waits for the command it executes and deleting a CQ for a post in progress: afterwards nothing
     * writes to host memory.
     */
    private void dropQueues()
    {
        for (int i = 0; i < submissionQueues.length(); i++)
        {
            final SubmissionQueue sq = submissionQueues.getAndSet(i, null);
            if (sq != null)
            {
                sq.delete();
            }
        }
        for (int i = 0; i < completionQueues.length(); i++)
        {
            final CompletionQueue cq = completionQueues.getAndSet(i, null);
            if (cq != null)
            {
                cq.delete();
            }
        }
    }
}
