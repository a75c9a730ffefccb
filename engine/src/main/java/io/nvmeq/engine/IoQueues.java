package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.spec.Status;

/**
 * Creation and deletion of I/O queue pairs as admin command chains on the {@link AdminPoller}'s thread
 * (Create I/O CQ → Create I/O SQ; Delete I/O SQ, then Delete I/O CQ), answered by future. The callers'
 * threads only allocate the rings; the registry of queues a reset re-creates is changed on the admin
 * thread only, so a reset never sees a half-made queue.
 */
final class IoQueues
{
    private static final Logger LOG = LoggerFactory.getLogger(IoQueues.class);

    private final AdminPoller admin;
    private final IovaSpace iova;
    private final NvmeDevice device;
    private final ControllerOptions options;
    private final int doorbellStrideShift;
    private final NamespaceInfo[] namespaces;
    private final long maxTransferBytes;
    private final int listPagesPerCommand;
    /** Queue ids being created now; admin thread only. */
    private final boolean[] creating;

    IoQueues(
        final AdminPoller admin, final IovaSpace iova, final NvmeDevice device, final ControllerOptions options,
        final int doorbellStrideShift, final NamespaceInfo[] namespaces, final long maxTransferBytes)
    {
        this.admin = admin;
        this.iova = iova;
        this.device = device;
        this.options = options;
        this.doorbellStrideShift = doorbellStrideShift;
        this.namespaces = namespaces;
        this.maxTransferBytes = maxTransferBytes;
        this.listPagesPerCommand = PrpBuilder.listPagesForTransfer(maxTransferBytes);
        this.creating = new boolean[Math.min(options.ioQueuePairs(), 65535) + 1];
    }

    /** The queue pairs registered now (for close). */
    CompletableFuture<List<QueuePair>> registered()
    {
        final CompletableFuture<List<QueuePair>> result = new CompletableFuture<>();
        admin.execute(() -> result.complete(admin.registeredQueues()));
        return result;
    }

    CompletableFuture<QueuePair> create(final int qid, final int entries, final IoCounters counters)
    {
        final CompletableFuture<QueuePair> result = new CompletableFuture<>();
        final List<DmaBuffer> allocated = new ArrayList<>(4);
        final QueuePair queuePair;
        try
        {
            final DmaBuffer sqRing = allocate(allocated, entries * 64);
            final DmaBuffer cqRing = allocate(allocated, entries * 16);
            final int listBytes = listPagesPerCommand * PrpBuilder.PAGE_SIZE;
            final DmaBuffer prpLists = allocate(allocated, (entries - 1) * listBytes);
            final BouncePool bounce = options.bounceBuffers() == 0 ? null : new BouncePool(
                allocate(allocated, options.bounceBuffers() * options.bounceBufferBytes()),
                options.bounceBuffers(), options.bounceBufferBytes());
            queuePair = new QueuePair(new QueuePairContext(qid, entries, device, admin, iova, doorbellStrideShift,
                sqRing, cqRing, prpLists, listBytes, bounce, namespaces, maxTransferBytes,
                options.ioTimeout().toNanos(), options.maxRetries(), counters, interruptFor(qid)));
        }
        catch (final RuntimeException ex)
        {
            free(allocated);
            throw ex;
        }
        admin.execute(() ->
        {
            if (admin.registered(qid) != null || creating[qid])
            {
                free(allocated);
                result.completeExceptionally(new InvalidRequestException("I/O queue pair " + qid + " exists already"));
                return;
            }
            creating[qid] = true;
            final int vector = queuePair.interrupt() == null ? CompletionVectors.NONE : queuePair.interrupt().vector();
            admin.submit(AdminCommand.createIoCq(qid, entries, queuePair.cqIova(), vector), (cqStatus, ignored) ->
            {
                if (failed(cqStatus))
                {
                    abandon(qid, allocated, result, AdminCommand.createIoCq(qid, entries, 0, vector), cqStatus);
                    return;
                }
                admin.submit(AdminCommand.createIoSq(qid, entries, queuePair.sqIova()), (sqStatus, unused) ->
                {
                    if (failed(sqStatus))
                    {
                        admin.submit(AdminCommand.deleteIoCq(qid), (status, dw0) -> { });
                        abandon(qid, allocated, result, AdminCommand.createIoSq(qid, entries, 0), sqStatus);
                        return;
                    }
                    creating[qid] = false;
                    // Both queues exist in the generation current now: no reset ran between (it would
                    // have answered the commands above with ABORTED_BY_RESET).
                    queuePair.recovery.connectedTo(admin.generation());
                    admin.register(queuePair);
                    result.complete(queuePair);
                });
            });
        });
        return result;
    }

    /**
     * The interrupt of queue {@code qid}'s completion queue, or null for one polled without interrupts
     * (none configured, or the owners used up the vectors). The vector's eventfd is requested here,
     * before Create I/O CQ names the vector: a PCI function accepts an IV other than 0 only once MSI-X
     * is enabled, which the first request does (VFIO_DEVICE_SET_IRQS).
     */
    private CompletionInterrupt interruptFor(final int qid)
    {
        final CompletionVectors vectors = options.completionVectors();
        if (vectors == null)
        {
            return null;
        }
        final int vector = vectors.vectorOf(qid, device.interrupts());
        if (vector == CompletionVectors.NONE)
        {
            if (!vectors.owned(qid))
            {
                return null; // a queue its maker polls itself (a plain thread's): no interrupts asked for
            }
            LOG.info("{}: I/O queue {} is polled without interrupts: its owner has no interrupt vector of the {} " +
                "the device offers", device.uri(), qid, device.interrupts().count());
            return null;
        }
        return new CompletionInterrupt(vector, device.interrupts().eventFd(vector), device, qid);
    }

    CompletableFuture<Void> deleteSubmissionQueue(final QueuePair queuePair, final boolean closed)
    {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        admin.execute(() ->
        {
            if (admin.registered(queuePair.id()) != queuePair)
            {
                result.completeExceptionally(new InvalidRequestException(
                    "queue pair " + queuePair.id() + " does not belong to this controller"));
                return;
            }
            // From now on no reset re-creates it.
            admin.unregister(queuePair);
            delete(AdminCommand.deleteIoSq(queuePair.id()), closed, result);
        });
        return result;
    }

    CompletableFuture<Void> deleteCompletionQueue(final QueuePair queuePair, final boolean closed)
    {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        admin.execute(() -> delete(AdminCommand.deleteIoCq(queuePair.id()), closed, result));
        return result;
    }

    /**
     * Confirmed: the controller deleted it, or it has no such queue any more: a reset or a failure
     * disabled it meanwhile (a disabled controller holds no queue), or it answers Invalid Queue Identifier.
     */
    private void delete(final AdminCommand command, final boolean closed, final CompletableFuture<Void> result)
    {
        if (closed || admin.isFailed())
        {
            result.complete(null);
            return;
        }
        admin.submit(command, (status, dw0) ->
        {
            if (!failed(status) || status == HostStatus.ABORTED_BY_RESET || status == HostStatus.CONTROLLER_FAILED)
            {
                result.complete(null);
            }
            else if (!HostStatus.isHostStatus(status) && Status.codeOf(status) == Status.INVALID_QUEUE_ID)
            {
                LOG.warn("{}: {} of queue {}: the controller no longer knew it", device.uri(), command.name(),
                    command.cdw10() & 0xFFFF);
                result.complete(null);
            }
            else
            {
                result.completeExceptionally(HostStatus.exceptionFor(command.opcode(), true, status));
            }
        });
    }

    private void abandon(final int qid, final List<DmaBuffer> allocated, final CompletableFuture<QueuePair> result,
        final AdminCommand command, final int status)
    {
        creating[qid] = false;
        free(allocated);
        result.completeExceptionally(HostStatus.exceptionFor(command.opcode(), true, status));
    }

    private static boolean failed(final int status)
    {
        return !Status.isSuccess(status) || HostStatus.isHostStatus(status);
    }

    private DmaBuffer allocate(final List<DmaBuffer> allocated, final int bytes)
    {
        final DmaBuffer buffer = iova.allocateFixed(bytes);
        allocated.add(buffer);
        return buffer;
    }

    private static void free(final List<DmaBuffer> allocated)
    {
        for (final DmaBuffer buffer : allocated)
        {
            buffer.close();
        }
    }
}
