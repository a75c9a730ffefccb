package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

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
    private final DmaBuffer adminData;
    private final ControllerInfo info;
    private final List<NamespaceInfo> namespaces;
    private final NamespaceInfo[] namespaceById;
    private final QueuePair[] ioQueues;
    private boolean shutDown;
    private boolean closed;

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
        final int adminEntries = Math.min(options.adminQueueEntries(), maxQueueEntries);
        final DmaBuffer asq = iova.allocateFixed(adminEntries * 64);
        final DmaBuffer acq = iova.allocateFixed(adminEntries * 16);
        registers.write32(Registers.AQA, Registers.aqa(adminEntries, adminEntries));
        registers.write64(Registers.ASQ, asq.iova());
        registers.write64(Registers.ACQ, acq.iova());
        final QueuePair adminQueue = new QueuePair(
            0, adminEntries, device, doorbellStrideShift, asq, acq, null, new NamespaceInfo[0], 0);
        this.admin = new AdminQueue(adminQueue, registers, options.adminTimeout().toNanos());
        this.adminData = iova.allocateFixed(IDENTIFY_SIZE);
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
            maxTransferBytes(identify.mdts(), Registers.capMpsMinShift(cap)),
            maxQueueEntries,
            4 << doorbellStrideShift,
            readyTimeoutMillis,
            1 << HOST_PAGE_SHIFT,
            identify.namespaceCount(),
            granted,
            identify.volatileWriteCache(),
            identify.oncs());
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

    /** Allocates a zero-copy DMA buffer, mapped for the device until it is closed. Thread-safe. */
    public DmaBuffer allocateBuffer(final int bytes)
    {
        return iova.allocateFixed(bytes, true);
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
        final DmaBuffer sqRing = iova.allocateFixed(entries * 64);
        final DmaBuffer cqRing = iova.allocateFixed(entries * 16);
        final DmaBuffer prpLists = iova.allocateFixed((entries - 1) * PrpBuilder.PAGE_SIZE);
        boolean cqCreated = false;
        try
        {
            admin.execute(Opcodes.ADMIN_CREATE_IO_CQ, e -> e
                .prp1(cqRing.iova())
                .cdw(10, ((entries - 1) << 16) | qid)
                .cdw(11, Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
            cqCreated = true;
            admin.execute(Opcodes.ADMIN_CREATE_IO_SQ, e -> e
                .prp1(sqRing.iova())
                .cdw(10, ((entries - 1) << 16) | qid)
                .cdw(11, (qid << 16) | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS));
        }
        catch (final RuntimeException ex)
        {
            if (cqCreated)
            {
                deleteQuietly(Opcodes.ADMIN_DELETE_IO_CQ, qid);
            }
            sqRing.close();
            cqRing.close();
            prpLists.close();
            throw ex;
        }
        final QueuePair queuePair = new QueuePair(
            qid, entries, device, doorbellStrideShift, sqRing, cqRing, prpLists, namespaceById, info.maxTransferBytes());
        ioQueues[qid] = queuePair;
        return queuePair;
    }

    /**
     * Deletes an I/O queue pair: its SQ (the controller completes or aborts what it still holds, §5.6),
     * a last reap of its CQ, then the CQ. Commands that still have no answer are failed with
     * "Command Aborted due to SQ Deletion", so that each gets exactly one. Its owner must have stopped
     * using it.
     */
    public synchronized void deleteQueuePair(final QueuePair queuePair)
    {
        final int qid = queuePair.id();
        if (qid < 1 || qid >= ioQueues.length || ioQueues[qid] != queuePair)
        {
            throw new InvalidRequestException("queue pair " + qid + " does not belong to this controller");
        }
        ioQueues[qid] = null;
        try
        {
            if (!closed)
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
            admin.queue().release();
            adminData.close();
            device.close();
        }
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
            adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
            admin.execute(Opcodes.ADMIN_IDENTIFY, e -> e.namespaceId(nsid).prp1(adminData.iova()).cdw(10, Opcodes.CNS_NAMESPACE));
            ns.wrap(adminData.buffer(), 0);
            if (ns.size() == 0)
            {
                continue; // an inactive namespace identifies as all zeroes
            }
            final int format = ns.formattedLbaIndex();
            result.add(new NamespaceInfo(
                nsid, ns.size(), ns.capacity(), ns.utilization(), 1 << ns.dataLbaShift(format),
                format, ns.lbaFormatCount(), ns.metadataSize(format), ns.relativePerformance(format)));
        }
        return Collections.unmodifiableList(result);
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

    /** The driver's transfer limit: MDTS (in units of CAP.MPSMIN) capped by what one PRP list page describes. */
    static long maxTransferBytes(final int mdts, final int mpsMinShift)
    {
        if (mdts == 0)
        {
            return PrpBuilder.MAX_TRANSFER;
        }
        return Math.min(PrpBuilder.MAX_TRANSFER, 1L << (mdts + mpsMinShift));
    }
}
