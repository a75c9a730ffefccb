package io.nvmeq.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.IdentifyNamespace;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * An NVMe controller brought up by the driver (NVMe base spec 2.0 §3.5.1 "Memory-based Controller
 * Initialization"): disable, wait for CSTS.RDY=0, set up the admin queue, enable, wait for CSTS.RDY=1
 * (each wait bounded by CAP.TO), Identify, negotiate the number of I/O queues. It then creates I/O queue
 * pairs through the admin queue and hands out DMA buffers. Everything reaches the device through
 * registers, doorbells and DMA memory only.
 */
public final class NvmeController implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NvmeController.class);
    private static final int HOST_PAGE_SHIFT = 12;
    private static final int IDENTIFY_SIZE = 4096;

    private final NvmeDevice device;
    private final RegisterSpace registers;
    private final ControllerOptions options;
    private final IovaSpace iova;
    private final long readyTimeoutMillis;
    private final int doorbellStrideShift;
    private final int maxQueueEntries;
    private final AdminQueue admin;
    private final int adminEntries;
    private final DmaBuffer adminSq;
    private final DmaBuffer adminCq;
    private final DmaBuffer adminData;
    private final ControllerInfo info;
    private final List<NamespaceInfo> namespaces;
    private final NamespaceInfo[] namespaceById;
    private final QueuePair[] ioQueues;
    private final int listPagesPerCommand;
    private boolean shutDown;
    private boolean closed;
    /** Bumped by every controller reset: queue owners compare it on each poll and recover when it moved. */
    private volatile int generation;
    /** A reset failed: the controller is gone for good. */
    private volatile boolean failed;
    private long resets;

    private NvmeController(final NvmeDevice device, final ControllerOptions options)
    {
        this.device = device;
        this.registers = device.registers();
        this.options = options;

        final long cap = registers.read64(Registers.CAP);
        if (cap == -1L)
        {
            throw new ControllerFatalException(device.uri() + ": registers read all ones: the device is gone or not responding");
        }
        this.readyTimeoutMillis = Math.max(500, Registers.capTimeoutMillis(cap));
        this.doorbellStrideShift = Registers.capDstrd(cap);
        this.maxQueueEntries = Registers.capMqes(cap) + 1;
        if (!Registers.capNvmCommandSet(cap))
        {
            throw new ControllerFatalException(device.uri() + ": the controller does not support the NVM command set");
        }
        if (Registers.capMpsMinShift(cap) > HOST_PAGE_SHIFT || Registers.capMpsMaxShift(cap) < HOST_PAGE_SHIFT)
        {
            throw new ControllerFatalException(device.uri() + ": the controller does not support 4 KiB memory pages");
        }
        this.iova = new IovaSpace(device.iommu());

        disable();
        this.adminEntries = Math.min(options.adminQueueEntries(), maxQueueEntries);
        this.adminSq = iova.allocateFixed(adminEntries * 64);
        this.adminCq = iova.allocateFixed(adminEntries * 16);
        final QueuePair adminQueue = QueuePair.admin(
            adminEntries, device, doorbellStrideShift, adminSq, adminCq, options.adminTimeout().toNanos());
        this.admin = new AdminQueue(adminQueue, registers, options.adminTimeout().toNanos());
        this.adminData = iova.allocateFixed(IDENTIFY_SIZE);
        setUpAdminQueue();
        enable();

        final IdentifyController identify = identifyController();
        this.namespaces = identifyNamespaces(identify.namespaceCount());
        int maxNsid = 0;
        for (final NamespaceInfo ns : namespaces)
        {
            maxNsid = Math.max(maxNsid, ns.nsid());
        }
        this.namespaceById = new NamespaceInfo[maxNsid + 1];
        for (final NamespaceInfo ns : namespaces)
        {
            namespaceById[ns.nsid()] = ns;
        }
        final int granted = negotiateQueues(options.ioQueuePairs());
        this.ioQueues = new QueuePair[granted + 1];
        this.info = new ControllerInfo(
            identify.vendorId(),
            identify.serialNumber(),
            identify.modelNumber(),
            identify.firmwareRevision(),
            Registers.versionString(registers.read32(Registers.VS)),
            identify.controllerId(),
            identify.mdts(),
            maxTransferBytes(identify.mdts(), Registers.capMpsMinShift(cap), options.maxTransferBytes()),
            maxQueueEntries,
            4 << doorbellStrideShift,
            readyTimeoutMillis,
            1 << HOST_PAGE_SHIFT,
            identify.namespaceCount(),
            granted,
            identify.volatileWriteCache(),
            identify.oncs(),
            identify.bytes(0, IdentifyController.SIZE));
        this.listPagesPerCommand = PrpBuilder.listPagesForTransfer(info.maxTransferBytes());
        LOG.info("{}: {} (SN {}, FR {}, NVMe {}), {} namespace(s), {} I/O queue pair(s) granted",
            device.uri(), info.model(), info.serial(), info.firmware(), info.version(), namespaces.size(), granted);
    }

    /**
     * Brings the controller of {@code device} up. On failure the device is closed and the error says why.
     *
     * @throws ControllerTimeoutException if CSTS.RDY did not follow CC.EN within CAP.TO
     * @throws ControllerFatalException   if the controller is unusable
     */
    public static NvmeController open(final NvmeDevice device, final ControllerOptions options)
    {
        try
        {
            return new NvmeController(device, options);
        }
        catch (final RuntimeException ex)
        {
            device.close();
            throw ex instanceof NvmeException ? ex : new ControllerFatalException(
                device.uri() + ": controller bring-up failed: " + ex.getMessage(), ex);
        }
    }

    public ControllerInfo info()
    {
        return info;
    }

    public List<NamespaceInfo> namespaces()
    {
        return namespaces;
    }

    public NamespaceInfo namespace(final int nsid)
    {
        if (nsid <= 0 || nsid >= namespaceById.length || namespaceById[nsid] == null)
        {
            throw new InvalidRequestException("namespace " + nsid + " is not an active namespace of " + device.uri());
        }
        return namespaceById[nsid];
    }

    public int grantedIoQueuePairs()
    {
        return info.grantedIoQueuePairs();
    }

    public NvmeDevice device()
    {
        return device;
    }

    /**
     * Allocates a zero-copy DMA buffer, mapped for the device at a fixed IOVA until it is closed. Thread-safe.
     *
     * @throws IovaExhaustedException if no fixed IOVA or IOMMU mapping is left
     */
    public DmaBuffer allocateBuffer(final int bytes)
    {
        return iova.allocateFixed(bytes, true);
    }

    /**
     * Maps the memory of a direct buffer (from its position to its limit) for the device at a fixed IOVA
     * until the registration is closed, so that I/O from and into it is zero-copy (QEMU's
     * bdrv_register_buf). The caller keeps the buffer alive, and closes the registration before it frees
     * the memory and after the last I/O on it. Thread-safe.
     *
     * @throws InvalidRequestException if the buffer is not direct, empty, or overlaps a registered one
     * @throws IovaExhaustedException  if no fixed IOVA or IOMMU mapping is left
     */
    public RegisteredBuffer registerBuffer(final ByteBuffer buffer)
    {
        if (buffer == null || !buffer.isDirect())
        {
            throw new InvalidRequestException("only direct buffers can be registered: heap memory moves");
        }
        if (!buffer.hasRemaining())
        {
            throw new InvalidRequestException("cannot register an empty buffer");
        }
        checkOpen();
        final long address = BufferUtil.address(buffer) + buffer.position();
        final int length = buffer.remaining();
        final long byteIova = iova.register(address, length);
        return new RegisteredBuffer(iova, address, length, byteIova);
    }

    /**
     * The IOVA at which the device reaches host bytes [address, address + length) through a fixed mapping
     * (a DmaBuffer or a registered buffer), or -1 if none covers them. Lock-free; the data path's lookup.
     */
    public long registeredIova(final long address, final int length)
    {
        return iova.lookup(address, length);
    }

    /** Creates I/O queue pair {@code qid} with the default number of entries. */
    public QueuePair createQueuePair(final int qid)
    {
        return createQueuePair(qid, options.ioQueueEntries());
    }

    /**
     * Creates I/O queue pair {@code qid} (1..granted): its completion queue, then its submission queue
     * (NVMe base spec 2.0 §5.4, §5.5). The SQ and CQ have {@code entries} entries each, capped by CAP.MQES.
     */
    public synchronized QueuePair createQueuePair(final int qid, final int entries)
    {
        checkOpen();
        if (qid < 1 || qid > info.grantedIoQueuePairs())
        {
            throw new InvalidRequestException(
                "I/O queue id must be 1.." + info.grantedIoQueuePairs() + " on this controller, not " + qid);
        }
        if (ioQueues[qid] != null)
        {
            throw new InvalidRequestException("I/O queue pair " + qid + " exists already");
        }
        if (entries < 2 || entries > maxQueueEntries)
        {
            throw new InvalidRequestException(
                "queue entries must be 2.." + maxQueueEntries + " on this controller (CAP.MQES), not " + entries);
        }
        final List<DmaBuffer> allocated = new ArrayList<>(4);
        boolean cqCreated = false;
        try
        {
            final DmaBuffer sqRing = allocate(allocated, entries * 64);
            final DmaBuffer cqRing = allocate(allocated, entries * 16);
            final int listBytes = listPagesPerCommand * PrpBuilder.PAGE_SIZE;
            final DmaBuffer prpLists = allocate(allocated, (entries - 1) * listBytes);
            final BouncePool bounce = options.bounceBuffers() == 0 ? null : new BouncePool(
                allocate(allocated, options.bounceBuffers() * options.bounceBufferBytes()),
                options.bounceBuffers(), options.bounceBufferBytes());
            createQueues(qid, entries, cqRing.iova(), sqRing.iova());
            cqCreated = true;
            final QueuePair queuePair = QueuePair.io(qid, entries, this, iova, doorbellStrideShift, sqRing, cqRing,
                prpLists, listBytes, bounce, namespaceById, info.maxTransferBytes(), options.ioTimeout().toNanos(),
                options.maxRetries(), generation);
            ioQueues[qid] = queuePair;
            return queuePair;
        }
        catch (final RuntimeException ex)
        {
            if (cqCreated)
            {
                deleteQuietly(Opcodes.ADMIN_DELETE_IO_SQ, qid);
                deleteQuietly(Opcodes.ADMIN_DELETE_IO_CQ, qid);
            }
            for (final DmaBuffer buffer : allocated)
            {
                buffer.close();
            }
            throw ex;
        }
    }

    private DmaBuffer allocate(final List<DmaBuffer> allocated, final int bytes)
    {
        final DmaBuffer buffer = iova.allocateFixed(bytes);
        allocated.add(buffer);
        return buffer;
    }

    /** Create I/O CQ, then SQ (§5.4, §5.5); if the SQ is refused, the CQ is deleted again. */
    private void createQueues(final int qid, final int entries, final long cqIova, final long sqIova)
    {
        admin.execute(Opcodes.ADMIN_CREATE_IO_CQ, e -> e
            .prp1(cqIova)
            .cdw(10, ((entries - 1) << 16) | qid)
            .cdw(11, Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
        try
        {
            admin.execute(Opcodes.ADMIN_CREATE_IO_SQ, e -> e
                .prp1(sqIova)
                .cdw(10, ((entries - 1) << 16) | qid)
                .cdw(11, (qid << 16) | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(Opcodes.ADMIN_DELETE_IO_CQ, qid);
            throw ex;
        }
    }

    /**
     * Deletes an I/O queue pair: its SQ (the controller completes or aborts what it still holds, §5.6),
     * a last reap of its CQ, then the CQ. Commands that still have no answer are failed with
     * "Command Aborted due to SQ Deletion", so that each gets exactly one. Its owner must have stopped
     * using it. The rings are unmapped from the IOMMU before they are freed, so the device can never
     * write into freed ring memory. If this throws, the controller did not confirm the deletion: it may
     * still move data for the commands just failed, so their buffers must not be reused until the
     * controller is reset or closed (the actor layer holds such requests until then).
     */
    public synchronized void deleteQueuePair(final QueuePair queuePair)
    {
        final int qid = queuePair.id();
        if (qid < 1 || qid >= ioQueues.length || ioQueues[qid] != queuePair)
        {
            throw new InvalidRequestException("queue pair " + qid + " does not belong to this controller");
        }
        ioQueues[qid] = null;
        queuePair.stopRetrying();
        try
        {
            if (!closed && !failed && queuePair.isCurrent(generation))
            {
                admin.execute(Opcodes.ADMIN_DELETE_IO_SQ, e -> e.cdw(10, qid));
                queuePair.reap(queuePair.capacity());
                admin.execute(Opcodes.ADMIN_DELETE_IO_CQ, e -> e.cdw(10, qid));
            }
        }
        finally
        {
            queuePair.failOutstanding(Status.ABORTED_SQ_DELETED);
            queuePair.release();
        }
    }

    /**
     * Normal shutdown (CC.SHN = 01b, §3.6.2): the controller completes its work and flushes; waits for
     * CSTS.SHST = complete within CAP.TO. Idempotent.
     */
    public synchronized void shutdown()
    {
        if (shutDown || closed)
        {
            return;
        }
        shutDown = true;
        final int cc = registers.read32(Registers.CC);
        registers.write32(Registers.CC, (cc & ~Registers.CC_SHN_MASK) | (Registers.CC_SHN_NORMAL << Registers.CC_SHN_SHIFT));
        waitFor(csts -> Registers.cstsShst(csts) == Registers.CSTS_SHST_COMPLETE, "CSTS.SHST = shutdown complete");
    }

    /** Deletes the remaining queues, shuts the controller down, unmaps and frees all DMA memory, closes the device. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            for (final QueuePair queuePair : ioQueues)
            {
                if (queuePair != null)
                {
                    try
                    {
                        deleteQueuePair(queuePair);
                    }
                    catch (final NvmeException ex)
                    {
                        LOG.warn("{}: deleting I/O queue pair {} on close failed: {}", device.uri(), queuePair.id(), ex.getMessage());
                    }
                }
            }
            shutdown();
        }
        catch (final NvmeException ex)
        {
            LOG.warn("{}: shutdown failed: {}", device.uri(), ex.getMessage());
        }
        finally
        {
            closed = true;
            iova.resetWith(null);
            iova.trimTemporary();
            admin.queue().release();
            adminData.close();
            device.close();
        }
    }

    // ---------------------------------------------------------------- admin commands

    /**
     * Get Log Page (§5.16): {@code bytes} (4..4096, a multiple of 4) of log {@code logId} for namespace
     * {@code nsid} (0xFFFFFFFF: the controller), as a copy.
     */
    public synchronized byte[] getLogPage(final int logId, final int nsid, final int bytes)
    {
        checkOpen();
        if (bytes < 4 || bytes > IDENTIFY_SIZE || (bytes & 3) != 0)
        {
            throw new InvalidRequestException("a log page read takes 4..4096 bytes in dwords, not " + bytes);
        }
        final int dwordsZeroBased = bytes / 4 - 1;
        adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
        admin.execute(Opcodes.ADMIN_GET_LOG_PAGE, e -> e
            .namespaceId(nsid)
            .prp1(adminData.iova())
            .cdw(10, ((dwordsZeroBased & 0xFFFF) << 16) | (logId & 0xFF))
            .cdw(11, dwordsZeroBased >>> 16));
        final byte[] copy = new byte[bytes];
        adminData.buffer().getBytes(0, copy);
        return copy;
    }

    /** Get Features (§5.15), current value: DW0 of the completion. */
    public int getFeature(final int featureId, final int cdw11)
    {
        checkOpen();
        return admin.execute(Opcodes.ADMIN_GET_FEATURES, e -> e.cdw(10, featureId & 0xFF).cdw(11, cdw11));
    }

    /** Set Features (§5.27), not saved across power cycles: DW0 of the completion. */
    public int setFeature(final int featureId, final int cdw11)
    {
        checkOpen();
        if ((featureId & 0xFF) == Opcodes.FEATURE_NUMBER_OF_QUEUES)
        {
            throw new InvalidRequestException("the number of queues is negotiated at bring-up and cannot change");
        }
        return admin.execute(Opcodes.ADMIN_SET_FEATURES, e -> e.cdw(10, featureId & 0xFF).cdw(11, cdw11));
    }

    /** Identify Namespace (§5.17) now: sizes and utilisation as the controller reports them. */
    public synchronized NamespaceInfo identifyNamespace(final int nsid)
    {
        checkOpen();
        final NamespaceInfo info = identifyNamespaceNow(nsid, new IdentifyNamespace());
        if (info == null)
        {
            throw new InvalidRequestException("namespace " + nsid + " is not active on " + device.uri());
        }
        return info;
    }

    /**
     * Abort (§5.1) of command {@code commandId} on submission queue {@code sqid}.
     *
     * @return true if the controller aborted it (it then completes with Command Abort Requested), false
     *         if it did not (the command completes or times out on its own)
     */
    public boolean abort(final int sqid, final int commandId)
    {
        final int dw0 = admin.execute(Opcodes.ADMIN_ABORT, e -> e.cdw(10, (commandId << 16) | (sqid & 0xFFFF)));
        return (dw0 & 1) == 0;
    }

    /**
     * Has the temporary IOVA region's drained epochs reset (unmapped) by {@code executor} instead of by
     * the queue pair that released their last mapping, so that no I/O thread runs the unmap nor waits
     * for it; null goes back to inline resets. Thread-safe.
     */
    public void resetTemporaryMappingsWith(final java.util.concurrent.Executor executor)
    {
        iova.resetWith(executor);
    }

    /** Temporary-region epochs reset so far (one bulk unmap each). */
    public long temporaryEpochResets()
    {
        return iova.epochResetCount();
    }

    /** Temporary mappings refused because both epochs were exhausted (the request was bounced instead). */
    public long temporaryMappingRefusals()
    {
        return iova.temporaryRefusalCount();
    }

    /** Controller resets so far (after timeouts, CSTS.CFS or on request). */
    public synchronized long resetCount()
    {
        return resets;
    }

    /** Whether a reset failed: the controller is unusable and every command on it fails. */
    public boolean isFailed()
    {
        return failed;
    }

    /**
     * Resets the controller (as after a fatal status). Queue owners recover their queues on their next
     * poll. Never throws: a reset that fails marks the controller failed.
     */
    public void reset(final String reason)
    {
        reset(generation, reason);
    }

    // ---------------------------------------------------------------- reset, for queue pairs

    int generation()
    {
        return generation;
    }

    int readStatus()
    {
        return registers.read32(Registers.CSTS);
    }

    /**
     * Controller reset (§3.7.2) unless one happened since the caller saw {@code observedGeneration}:
     * CC.EN = 0 and CSTS.RDY = 0 (the device stops all DMA and drops every queue), the admin queue set up
     * afresh, CC.EN = 1, the number of queues negotiated again, then the generation moves on so that every
     * queue owner re-creates its queues. Bounded by CAP.TO per wait.
     */
    synchronized void reset(final int observedGeneration, final String reason)
    {
        if (observedGeneration != generation || failed || closed)
        {
            return;
        }
        LOG.warn("{}: resetting the controller: {}", device.uri(), reason);
        resets++;
        try
        {
            admin.reinitialise(this::disableAndSetUpAdminQueue);
            enable();
            final int granted = negotiateQueues(options.ioQueuePairs());
            if (granted < info.grantedIoQueuePairs())
            {
                throw new ControllerFatalException("after the reset the controller grants " + granted
                    + " I/O queue pairs instead of " + info.grantedIoQueuePairs());
            }
        }
        catch (final RuntimeException ex)
        {
            failed = true;
            LOG.error("{}: the controller could not be reset ({}); it is failed for good", device.uri(), ex.getMessage());
            try
            {
                registers.write32(Registers.CC, 0);
            }
            catch (final RuntimeException ignored)
            {
                // A removed device may refuse even this; it no longer reaches our memory either way.
            }
        }
        finally
        {
            generation++;
        }
    }

    /** Re-creates a queue pair's queues after a reset; @return the generation they belong to. */
    synchronized int recreate(final QueuePair queuePair)
    {
        if (failed)
        {
            throw new ControllerFatalException(device.uri() + " failed and could not be reset");
        }
        if (closed)
        {
            throw new InvalidRequestException(device.uri() + " is closed");
        }
        createQueues(queuePair.id(), queuePair.entries(), queuePair.cqIova(), queuePair.sqIova());
        return generation;
    }

    private void disableAndSetUpAdminQueue()
    {
        disable();
        setUpAdminQueue();
    }

    private void setUpAdminQueue()
    {
        registers.write32(Registers.AQA, Registers.aqa(adminEntries, adminEntries));
        registers.write64(Registers.ASQ, adminSq.iova());
        registers.write64(Registers.ACQ, adminCq.iova());
    }

    private void checkOpen()
    {
        if (closed || shutDown)
        {
            throw new InvalidRequestException(device.uri() + " is shut down");
        }
    }

    private void disable()
    {
        final int cc = registers.read32(Registers.CC);
        if ((cc & Registers.CC_EN) != 0)
        {
            registers.write32(Registers.CC, cc & ~Registers.CC_EN);
        }
        waitFor(csts -> (csts & Registers.CSTS_RDY) == 0, "CSTS.RDY = 0 after CC.EN = 0");
    }

    private void enable()
    {
        registers.write32(Registers.CC, Registers.ccEnable(HOST_PAGE_SHIFT));
        waitFor(csts -> (csts & Registers.CSTS_RDY) != 0, "CSTS.RDY = 1 after CC.EN = 1");
    }

    /** Polls CSTS until {@code condition} holds, at most CAP.TO; CFS or all ones end the wait at once. */
    private void waitFor(final IntPredicate condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readyTimeoutMillis);
        while (true)
        {
            final int csts = registers.read32(Registers.CSTS);
            if (csts == -1)
            {
                throw new ControllerFatalException(device.uri() + ": CSTS reads all ones while waiting for " + what);
            }
            if (condition.test(csts))
            {
                return;
            }
            if ((csts & Registers.CSTS_CFS) != 0)
            {
                throw new ControllerFatalException(device.uri() + ": controller fatal status (CSTS.CFS) while waiting for " + what);
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new ControllerTimeoutException(
                    device.uri() + ": no " + what + " within CAP.TO (" + readyTimeoutMillis + " ms)");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    private IdentifyController identifyController()
    {
        adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
        admin.execute(Opcodes.ADMIN_IDENTIFY, e -> e.prp1(adminData.iova()).cdw(10, Opcodes.CNS_CONTROLLER));
        // A copy: adminData is reused by the next admin command.
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[IDENTIFY_SIZE]);
        copy.putBytes(0, adminData.buffer(), 0, IDENTIFY_SIZE);
        return new IdentifyController().wrap(copy, 0);
    }

    private List<NamespaceInfo> identifyNamespaces(final int namespaceCount)
    {
        final List<Integer> ids = activeNamespaceIds(namespaceCount);
        final List<NamespaceInfo> result = new ArrayList<>(ids.size());
        final IdentifyNamespace ns = new IdentifyNamespace();
        for (final int nsid : ids)
        {
            final NamespaceInfo info = identifyNamespaceNow(nsid, ns);
            if (info != null)
            {
                result.add(info);
            }
        }
        return Collections.unmodifiableList(result);
    }

    private NamespaceInfo identifyNamespaceNow(final int nsid, final IdentifyNamespace ns)
    {
        adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
        admin.execute(Opcodes.ADMIN_IDENTIFY, e -> e.namespaceId(nsid).prp1(adminData.iova()).cdw(10, Opcodes.CNS_NAMESPACE));
        ns.wrap(adminData.buffer(), 0);
        if (ns.size() == 0)
        {
            return null; // an inactive namespace identifies as all zeroes
        }
        final int format = ns.formattedLbaIndex();
        return new NamespaceInfo(
            nsid, ns.size(), ns.capacity(), ns.utilization(), 1 << ns.dataLbaShift(format),
            format, ns.lbaFormatCount(), ns.metadataSize(format), ns.relativePerformance(format),
            ns.bytes(0, IdentifyNamespace.SIZE));
    }

    /** The Active Namespace ID list (CNS 02h, since NVMe 1.1); older controllers: 1..NN. */
    private List<Integer> activeNamespaceIds(final int namespaceCount)
    {
        final List<Integer> ids = new ArrayList<>();
        try
        {
            adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
            admin.execute(Opcodes.ADMIN_IDENTIFY, e -> e.prp1(adminData.iova()).cdw(10, Opcodes.CNS_ACTIVE_NAMESPACE_LIST));
            for (int i = 0; i < IDENTIFY_SIZE / 4; i++)
            {
                final int nsid = adminData.buffer().getInt(i * 4);
                if (nsid == 0)
                {
                    break;
                }
                ids.add(nsid);
            }
        }
        catch (final CommandFailedException ex)
        {
            LOG.debug("{}: no active namespace list ({}); probing 1..{}", device.uri(), ex.statusName(), namespaceCount);
            for (int nsid = 1; nsid <= namespaceCount; nsid++)
            {
                ids.add(nsid);
            }
        }
        return ids;
    }

    /** Set Features, Number of Queues (§5.27.1.7): asks for {@code wanted} SQs and CQs; returns what was granted. */
    private int negotiateQueues(final int wanted)
    {
        final int zeroBased = Math.min(wanted, 65535) - 1;
        final int dw0 = admin.execute(Opcodes.ADMIN_SET_FEATURES, e -> e
            .cdw(10, Opcodes.FEATURE_NUMBER_OF_QUEUES)
            .cdw(11, (zeroBased << 16) | zeroBased));
        final int sqGranted = (dw0 & 0xFFFF) + 1;
        final int cqGranted = (dw0 >>> 16) + 1;
        return Math.min(wanted, Math.min(sqGranted, cqGranted));
    }

    private void deleteQuietly(final int opcode, final int qid)
    {
        try
        {
            admin.execute(opcode, e -> e.cdw(10, qid));
        }
        catch (final NvmeException ex)
        {
            LOG.warn("{}: {} of queue {} failed: {}", device.uri(), Opcodes.adminName(opcode), qid, ex.getMessage());
        }
    }

    /** The driver's transfer limit per command: MDTS (in units of CAP.MPSMIN; 0 = none) capped by the options. */
    static long maxTransferBytes(final int mdts, final int mpsMinShift, final int driverCap)
    {
        if (mdts == 0 || mdts + mpsMinShift >= 40)
        {
            return driverCap;
        }
        return Math.min(driverCap, 1L << (mdts + mpsMinShift));
    }
}
