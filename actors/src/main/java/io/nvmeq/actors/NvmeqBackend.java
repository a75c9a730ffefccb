package io.nvmeq.actors;

import java.util.List;
import java.util.Optional;

import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;

/**
 * What an {@link Nvmeq} is over: a controller attached to this JVM ({@link LocalNvmeq}) or a namespace
 * served elsewhere ({@link RemoteBackend}). The calls both can answer are here; the others belong to the
 * local controller alone and are reached through {@link #local}, which a remote namespace refuses.
 */
interface NvmeqBackend extends AutoCloseable
{
    ControllerInfo controller();

    List<NamespaceInfo> namespaces();

    /** @throws io.nvmeq.engine.InvalidRequestException if {@code nsid} is not one of {@link #namespaces()} */
    NamespaceInfo namespace(int nsid);

    int queuePairs();

    /** @throws io.nvmeq.engine.InvalidRequestException for an index outside 0 .. queuePairs() - 1 */
    NvmeqQueue queue(int index);

    int callerQueue();

    /** The queue of {@link #callerQueue()}. */
    NvmeqQueue callersQueue();

    /**
     * The local controller, for a call only it can answer.
     *
     * @param call    the facade call, for the refusal's message (e.g. "queuePairRefs()")
     * @param instead what to use instead on a remote namespace, for the refusal's message
     * @throws LocalOnlyException on a remote namespace
     */
    LocalNvmeq local(String call, String instead);

    /** The remote client, on a remote namespace. */
    default Optional<RemoteNvmeq> remote()
    {
        return Optional.empty();
    }

    /** How many thread queues may be open at once (none on a remote namespace). */
    default int threadQueueCapacity()
    {
        return 0;
    }

    /** Requests sent and not answered yet (remote: the parts a request was split into count one each). */
    int pendingCount();

    /** Idempotent; see {@link Nvmeq#close()}. */
    @Override
    void close();
}
