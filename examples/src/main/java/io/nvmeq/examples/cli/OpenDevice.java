package io.nvmeq.examples.cli;

import java.util.List;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.examples.io.BlockPort;

/**
 * A device as the identify, read and write commands use it: a local controller through the facade, or a
 * namespace served elsewhere ({@code remote://}) through {@link RemoteNvmeq}.
 */
interface OpenDevice extends AutoCloseable
{
    ControllerInfo controller();

    List<NamespaceInfo> namespaces();

    /** @throws io.nvmeq.engine.InvalidRequestException if {@code nsid} is not an active (or the served) namespace */
    NamespaceInfo namespace(int nsid);

    /** Queues commands may be dealt over (for the transfer window). */
    int queues();

    BlockPort port();

    @Override
    void close();

    static OpenDevice open(final String uri)
    {
        return RemoteUri.isRemote(uri) ? remote(RemoteNvmeq.open(uri)) : local(Nvmeq.open(uri));
    }

    static OpenDevice local(final Nvmeq nvmeq)
    {
        return new OpenDevice()
        {
            @Override
            public ControllerInfo controller()
            {
                return nvmeq.controller();
            }

            @Override
            public List<NamespaceInfo> namespaces()
            {
                return nvmeq.namespaces();
            }

            @Override
            public NamespaceInfo namespace(final int nsid)
            {
                return nvmeq.namespace(nsid);
            }

            @Override
            public int queues()
            {
                return nvmeq.queuePairs();
            }

            @Override
            public BlockPort port()
            {
                return BlockPort.of(nvmeq);
            }

            @Override
            public void close()
            {
                nvmeq.close();
            }
        };
    }

    static OpenDevice remote(final RemoteNvmeq remote)
    {
        return new OpenDevice()
        {
            @Override
            public ControllerInfo controller()
            {
                return remote.controller();
            }

            @Override
            public List<NamespaceInfo> namespaces()
            {
                return remote.namespaces();
            }

            @Override
            public NamespaceInfo namespace(final int nsid)
            {
                return remote.namespace(nsid);
            }

            @Override
            public int queues()
            {
                return 1;
            }

            @Override
            public BlockPort port()
            {
                return BlockPort.of(remote);
            }

            @Override
            public void close()
            {
                remote.close();
            }
        };
    }
}
