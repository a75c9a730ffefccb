package io.nvmeq.engine;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
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
 *
 * <p>Once the controller is up, its admin queue belongs to an {@link AdminPoller} thread: admin commands,
 * Aborts and the controller reset ({@link ControllerReset}) run there asynchronously, and the
 * {@code ...Async} methods answer by future without waiting. The synchronous methods (bring-up, queue
 * creation and deletion, log pages, features, {@link #reset(String)}, close) wait for that thread and
 * are for callers off the data path.
 */
public final class NvmeController implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NvmeController.class);
    private static final int HOST_PAGE_SHIFT = 12;
    private static final int IDENTIFY_SIZE = Identify.IDENTIFY_SIZE;

    private final NvmeDevice device;
    private final RegisterSpace registers;
    private final ControllerOptions options;
    private final IovaSpace iova;
    private final long readyTimeoutMillis;
    private final int doorbellStrideShift;
    private final int maxQueueEntries;
    private final AdminQueuePair adminQueue;
    private final AdminPoller admin;
    private final DmaBuffer adminData;
    private final Identify identify;
    private final RegisterWaits waits;
    private final ControllerInfo info;
    private final List<NamespaceInfo> namespaces;
    private final NamespaceInfo[] namespaceById;
    private final IoQueues ioQueues;
    private boolean shutDown;
    private volatile boolean closed;

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
        this.waits = new RegisterWaits(device.uri(), registers, readyTimeoutMillis);

        waits.disable();
        final int adminEntries = Math.min(options.adminQueueEntries(), maxQueueEntries);
        this.adminQueue = new AdminQueuePair(adminEntries, device, doorbellStrideShift,
            iova.allocateFixed(adminEntries * 64), iova.allocateFixed(adminEntries * 16), options.adminTimeout().toNanos());
        this.adminData = iova.allocateFixed(IDENTIFY_SIZE);
        adminQueue.program();
        waits.enable(HOST_PAGE_SHIFT);
        this.admin = new AdminPoller(device.uri(), adminQueue, registers, Math.min(options.ioQueuePairs(), 65535));
        final ControllerReset reset = new ControllerReset(device.uri(), admin, registers,
            TimeUnit.MILLISECONDS.toNanos(readyTimeoutMillis), HOST_PAGE_SHIFT);
        admin.start(reset);
        try
        {
            this.identify = new Identify(device.uri(), admin, adminData);
            final IdentifyController identify = this.identify.controller();
            this.namespaces = this.identify.namespaces(identify.namespaceCount());
            this.namespaceById = Identify.byNsid(namespaces);
            final int wanted = options.ioQueuePairs();
            final int granted = AdminCommand.grantedQueues(admin.execute(AdminCommand.numberOfQueues(wanted)), wanted);
            admin.execute(() -> reset.negotiated(wanted, granted));
            this.info = new ControllerInfo(
                identify.vendorId(),
                identify.serialNumber(),
                identify.modelNumber(),
                identify.firmwareRevision(),
                Registers.versionString(registers.read32(Registers.VS)),
                identify.controllerId(),
                identify.mdts(),
                IoQueues.maxTransferBytes(identify.mdts(), Registers.capMpsMinShift(cap), options.maxTransferBytes()),
                maxQueueEntries,
                4 << doorbellStrideShift,
                readyTimeoutMillis,
                1 << HOST_PAGE_SHIFT,
                identify.namespaceCount(),
                granted,
                identify.volatileWriteCache(),
                identify.oncs(),
                new IdentifyBytes(identify.bytes(0, IdentifyController.SIZE)));
            this.ioQueues = new IoQueues(admin, iova, device, options, doorbellStrideShift, namespaceById,
                info.maxTransferBytes());
        }
        catch (final RuntimeException ex)
        {
            admin.stop();
            throw ex;
        }
        LOG.info("{}: {} (SN {}, FR {}, NVMe {}), {} namespace(s), {} I/O queue pair(s) granted",
            device.uri(), info.model(), info.serial(), info.firmware(), info.version(), namespaces.size(),
            info.grantedIoQueuePairs());
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
     * bdrv_register_buf). The caller keeps the buffer alive, closes the registration before it frees the
     * memory, and frees it only after the last I/O on it was answered; requests in flight hold the
     * registration, so closing it early unmaps it only after them (see {@link RegisteredBuffer}). Thread-safe.
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
        return iova.register(address, length);
    }

    /**
     * The IOVA at which the device reaches host bytes [address, address + length) through a fixed mapping
     * (a DmaBuffer or a registered buffer), or -1 if none covers them. Lock-free; the data path's lookup.
     */
    public long registeredIova(final long address, final int length)
    {
        return iova.lookup(address, length);
    }

    // ---------------------------------------------------------------- I/O queue pairs

    /** Creates I/O queue pair {@code qid} with the default number of entries; waits (not on a data path). */
    public QueuePair createQueuePair(final int qid)
    {
        return createQueuePair(qid, options.ioQueueEntries());
    }

    /** As {@link #createQueuePair(int, int, IoCounters)}, with counters of its own. */
    public QueuePair createQueuePair(final int qid, final int entries)
    {
        return createQueuePair(qid, entries, new IoCounters());
    }

    /**
     * Creates I/O queue pair {@code qid} (1..granted), its CQ then its SQ (§5.4, §5.5), {@code entries}
     * entries each, and waits (not on a data path: see {@link #createQueuePairAsync}).
     */
    public QueuePair createQueuePair(final int qid, final int entries, final IoCounters counters)
    {
        return admin.await(createQueuePairAsync(qid, entries, counters), "creating I/O queue pair " + qid);
    }

    /**
     * Creates I/O queue pair {@code qid} without waiting: the future completes, on the admin thread, with
     * the queue pair once the controller created both queues, or with the typed error. It counts into
     * {@code counters}, which may outlive it (one set across a queue's re-creations).
     *
     * @throws InvalidRequestException at once for a bad queue id or size, or a controller shut down
     */
    public CompletableFuture<QueuePair> createQueuePairAsync(
        final int qid, final int entries, final IoCounters counters)
    {
        checkOpen();
        if (qid < 1 || qid > info.grantedIoQueuePairs())
        {
            throw new InvalidRequestException(
                "I/O queue id must be 1.." + info.grantedIoQueuePairs() + " on this controller, not " + qid);
        }
        if (entries < 2 || entries > maxQueueEntries)
        {
            throw new InvalidRequestException(
                "queue entries must be 2.." + maxQueueEntries + " on this controller (CAP.MQES), not " + entries);
        }
        return ioQueues.create(qid, entries, counters);
    }

    /**
     * Reconnects {@code queuePair} in place without waiting (its owner's restart), on the owner's thread:
     * it rings nothing from now on; its SQ and CQ are deleted and created again on the same rings (or by a
     * reset); its next poll after that recovers it as after a reset ({@link QueueRecovery#reconnect}). The
     * future completes (on the admin thread) when the queues exist again or the reset that covers them ended.
     */
    public CompletableFuture<Void> reconnectQueuePairAsync(final QueuePair queuePair)
    {
        final int bound = admin.generation();
        return ioQueues.reconnect(queuePair, queuePair.recovery.detach(), bound);
    }

    /**
     * Deletes an I/O queue pair and waits (not on a data path): its SQ (the controller completes or aborts
     * what it still holds, §5.6), a last reap of its CQ, then the CQ. Commands that still have no answer
     * are failed with "Command Aborted due to SQ Deletion", so that each gets exactly one. Call it on the
     * queue pair's owner thread, or once the owner stopped using it. The rings are unmapped from the IOMMU
     * before they are freed, so the device can never write into freed ring memory. If this throws, the
     * controller did not confirm the deletion and may still use the queue: it is reset, and only once it
     * has been disabled are the queue's commands answered (outcome unknown) and its memory freed.
     */
    public void deleteQueuePair(final QueuePair queuePair)
    {
        try
        {
            admin.await(deleteSubmissionQueueAsync(queuePair), "deleting I/O SQ " + queuePair.id());
            queuePair.reap(queuePair.capacity());
            admin.await(deleteCompletionQueueAsync(queuePair), "deleting I/O CQ " + queuePair.id());
        }
        finally
        {
            releaseQueuePair(queuePair);
        }
    }

    /**
     * The first half of deleting a queue pair without waiting: no more retries, no more re-creation by a
     * reset, then Delete I/O SQ. The future completes (on the admin thread) once the controller confirmed,
     * or exceptionally if it did not. The owner then reaps what the controller completed, and goes on with
     * {@link #deleteCompletionQueueAsync} and {@link #releaseQueuePair}.
     */
    public CompletableFuture<Void> deleteSubmissionQueueAsync(final QueuePair queuePair)
    {
        queuePair.stopRetrying();
        return ioQueues.deleteSubmissionQueue(queuePair, closed);
    }

    /** The second half: Delete I/O CQ, once the SQ is gone and the owner reaped what it held. */
    public CompletableFuture<Void> deleteCompletionQueueAsync(final QueuePair queuePair)
    {
        return ioQueues.deleteCompletionQueue(queuePair, closed);
    }

    /**
     * On the owner's thread, which is done with the queue pair, once the deletion was confirmed or given up
     * on. Confirmed: what has no answer is answered "Command Aborted due to SQ Deletion", the memory freed.
     * Not confirmed: the controller may still use the rings, PRP pages and buffers, so all stay, unanswered,
     * until it has been disabled (by the reset a refused deletion starts, or on close); then the commands are
     * answered on that thread ({@link HostStatus#ABORTED_BY_RESET}: outcome unknown).
     */
    public void releaseQueuePair(final QueuePair queuePair)
    {
        if (!queuePair.recovery.isDeletionConfirmed())
        {
            admin.execute(() -> admin.holdUnconfirmed(queuePair));
            return;
        }
        queuePair.failOutstanding(Status.ABORTED_SQ_DELETED);
        queuePair.release();
    }

    // ---------------------------------------------------------------- shutdown and close

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
        waits.waitFor(csts -> Registers.cstsShst(csts) == Registers.CSTS_SHST_COMPLETE, "CSTS.SHST = shutdown complete");
    }

    /**
     * Deletes the remaining queues, shuts the controller down, unmaps and frees all DMA memory, closes the
     * device. Everything is released even when a step fails; a failed shutdown is then reported.
     *
     * @throws ShutdownFailedException if the controller did not complete its shutdown (data written since
     *                                 the last successful Flush may not be durable); it is closed regardless
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        NvmeException shutdownFailure = null;
        admin.closing();
        try
        {
            for (final QueuePair queuePair : admin.await(ioQueues.registered(), "listing the I/O queues"))
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
            if (!admin.isFailed())
            {
                try
                {
                    shutdown();
                }
                catch (final ControllerFatalException | ControllerTimeoutException ex)
                {
                    // The shutdown flushes the volatile write cache: its failure is the caller's to know.
                    shutdownFailure = ex;
                }
            }
        }
        catch (final NvmeException ex)
        {
            LOG.warn("{}: shutdown failed: {}", device.uri(), ex.getMessage());
        }
        finally
        {
            closed = true;
            admin.stop();
            releaseUnconfirmed();
            iova.resetWith(null);
            iova.trimTemporary();
            adminQueue.release();
            adminData.close();
            device.close();
        }
        if (shutdownFailure != null)
        {
            throw new ShutdownFailedException(device.uri() + ": the controller did not complete its shutdown, so data "
                + "written since the last successful flush may not be durable: " + shutdownFailure.getMessage(), shutdownFailure);
        }
    }

    /** On close, the admin thread stopped: queues whose deletion was refused are freed once CC.EN = 0 took hold. */
    private void releaseUnconfirmed()
    {
        if (!admin.holdsUnconfirmed())
        {
            return;
        }
        try
        {
            waits.disable();
        }
        catch (final NvmeException ex)
        {
            LOG.warn("{}: disabling the controller on close failed: {}", device.uri(), ex.getMessage());
        }
        admin.controllerDisabled();
    }

    // ---------------------------------------------------------------- admin commands

    /**
     * Get Log Page (§5.16) without waiting: {@code bytes} (4..4096, a multiple of 4) of log {@code logId}
     * for namespace {@code nsid} (0xFFFFFFFF: the controller); the future gets a copy, or the typed error.
     *
     * @throws InvalidRequestException at once for a bad size or a controller shut down
     */
    public CompletableFuture<byte[]> getLogPageAsync(final int logId, final int nsid, final int bytes)
    {
        checkOpen();
        if (bytes < 4 || bytes > IDENTIFY_SIZE || (bytes & 3) != 0)
        {
            throw new InvalidRequestException("a log page read takes 4..4096 bytes in dwords, not " + bytes);
        }
        return LogPageRead.start(admin, iova, logId, nsid, bytes);
    }

    /** Get Log Page, waiting for it (not on a data path); see {@link #getLogPageAsync}. */
    public byte[] getLogPage(final int logId, final int nsid, final int bytes)
    {
        return admin.await(getLogPageAsync(logId, nsid, bytes), "Get Log Page");
    }

    /** Get Features (§5.15), current value: DW0 of the completion. Waits (not on a data path). */
    public int getFeature(final int featureId, final int cdw11)
    {
        checkOpen();
        return admin.execute(AdminCommand.getFeatures(featureId, cdw11));
    }

    /** Set Features (§5.27), not saved across power cycles: DW0 of the completion. Waits (not on a data path). */
    public int setFeature(final int featureId, final int cdw11)
    {
        checkOpen();
        if ((featureId & 0xFF) == Opcodes.FEATURE_NUMBER_OF_QUEUES)
        {
            throw new InvalidRequestException("the number of queues is negotiated at bring-up and cannot change");
        }
        return admin.execute(AdminCommand.setFeatures(featureId, cdw11));
    }

    /** Identify Namespace (§5.17) now: sizes and utilisation as the controller reports them. Waits. */
    public synchronized NamespaceInfo identifyNamespace(final int nsid)
    {
        checkOpen();
        final NamespaceInfo info = identify.namespace(nsid, new IdentifyNamespace());
        if (info == null)
        {
            throw new InvalidRequestException("namespace " + nsid + " is not active on " + device.uri());
        }
        return info;
    }

    /**
     * Abort (§5.1) of command {@code commandId} on submission queue {@code sqid}; waits for the answer
     * (queue pairs never call this: they ask through {@link QueueHost#requestAbort}).
     *
     * @return true if the controller aborted it (it then completes with Command Abort Requested), false
     *         if it did not (the command completes or times out on its own)
     */
    public boolean abort(final int sqid, final int commandId)
    {
        final int dw0 = admin.execute(AdminCommand.abort(sqid, commandId));
        return (dw0 & 1) == 0;
    }

    /**
     * Has the temporary IOVA region's drained epochs reset (unmapped) by {@code executor} instead of by
     * the queue pair that released their last mapping, so that no I/O thread runs the unmap nor waits
     * for it; null goes back to inline resets. Thread-safe.
     */
    public void resetTemporaryMappingsWith(final Executor executor)
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

    // ---------------------------------------------------------------- health and reset

    /** Controller resets so far (after timeouts, CSTS.CFS or on request). */
    public long resetCount()
    {
        return admin.resetCount();
    }

    /** Whether a reset failed: the controller is unusable and every command on it fails. */
    public boolean isFailed()
    {
        return admin.isFailed();
    }

    /** CSTS as read now, with what the driver knows about resets; thread-safe, never waits. */
    public ControllerHealth health()
    {
        final int csts = closed ? -1 : registers.read32(Registers.CSTS);
        return new ControllerHealth(csts, csts != -1 && (csts & Registers.CSTS_RDY) != 0, Registers.isFatal(csts),
            admin.resetting(), admin.resetCount(), admin.isFailed());
    }

    /**
     * Reads CSTS and, on a fatal status, starts a controller reset without waiting for it (the queue
     * owners reconnect when it ends). Thread-safe, never waits.
     *
     * @return the health as read
     */
    public ControllerHealth checkHealth()
    {
        final ControllerHealth health = health();
        if (health.fatal() && !health.failed() && !health.resetting() && !closed)
        {
            admin.requestReset(admin.generation(), "CSTS reads 0x" + Integer.toHexString(health.csts()));
        }
        return health;
    }

    /**
     * Resets the controller (as after a fatal status) without waiting: queue owners reconnect their queues
     * on their next poll; the future completes when the reset ended. A reset that fails marks the
     * controller failed.
     */
    public CompletableFuture<Void> resetAsync(final String reason)
    {
        return admin.reset(reason);
    }

    /** Resets the controller and waits for the reset to end (not on a data path); see {@link #resetAsync}. */
    public void reset(final String reason)
    {
        admin.await(resetAsync(reason), "controller reset");
    }

    // ---------------------------------------------------------------- bring-up

    private void checkOpen()
    {
        if (closed || shutDown)
        {
            throw new InvalidRequestException(device.uri() + " is shut down");
        }
    }
}
