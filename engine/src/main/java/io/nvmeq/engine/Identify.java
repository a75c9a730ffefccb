package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.IdentifyNamespace;
import io.nvmeq.hw.spec.Opcodes;

/**
 * Identify (NVMe base spec 2.0 §5.17) of the controller, its active namespace list and each namespace,
 * through one 4 KiB data page; waits for each answer (bring-up and queries, never a data path). Callers
 * serialise their use of the page.
 */
final class Identify
{
    private static final Logger LOG = LoggerFactory.getLogger(Identify.class);
    static final int IDENTIFY_SIZE = 4096;

    private final String uri;
    private final AdminPoller admin;
    private final DmaBuffer adminData;

    Identify(final String uri, final AdminPoller admin, final DmaBuffer adminData)
    {
        this.uri = uri;
        this.admin = admin;
        this.adminData = adminData;
    }

    IdentifyController controller()
    {
        adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
        admin.execute(AdminCommand.identify(Opcodes.CNS_CONTROLLER, 0, adminData.iova()));
        // A copy: adminData is reused by the next admin command.
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[IDENTIFY_SIZE]);
        copy.putBytes(0, adminData.buffer(), 0, IDENTIFY_SIZE);
        return new IdentifyController().wrap(copy, 0);
    }

    /** {@code namespaces} indexed by namespace id (null where none is active). */
    static NamespaceInfo[] byNsid(final List<NamespaceInfo> namespaces)
    {
        int maxNsid = 0;
        for (final NamespaceInfo ns : namespaces)
        {
            maxNsid = Math.max(maxNsid, ns.nsid());
        }
        final NamespaceInfo[] byNsid = new NamespaceInfo[maxNsid + 1];
        for (final NamespaceInfo ns : namespaces)
        {
            byNsid[ns.nsid()] = ns;
        }
        return byNsid;
    }

    List<NamespaceInfo> namespaces(final int namespaceCount)
    {
        final List<Integer> ids = activeNamespaceIds(namespaceCount);
        final List<NamespaceInfo> result = new ArrayList<>(ids.size());
        final IdentifyNamespace ns = new IdentifyNamespace();
        for (final int nsid : ids)
        {
            final NamespaceInfo info = namespace(nsid, ns);
            if (info != null)
            {
                result.add(info);
            }
        }
        return Collections.unmodifiableList(result);
    }

    /** Identify Namespace now; null for an inactive namespace. */
    NamespaceInfo namespace(final int nsid, final IdentifyNamespace ns)
    {
        adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
        admin.execute(AdminCommand.identify(Opcodes.CNS_NAMESPACE, nsid, adminData.iova()));
        ns.wrap(adminData.buffer(), 0);
        if (ns.size() == 0)
        {
            return null; // an inactive namespace identifies as all zeroes
        }
        final int format = ns.formattedLbaIndex();
        return new NamespaceInfo(
            nsid, ns.size(), ns.capacity(), ns.utilization(), 1 << ns.dataLbaShift(format),
            format, ns.lbaFormatCount(), ns.metadataSize(format), ns.relativePerformance(format),
            new IdentifyBytes(ns.bytes(0, IdentifyNamespace.SIZE)));
    }

    /** The Active Namespace ID list (CNS 02h, since NVMe 1.1); older controllers: 1..NN. */
    private List<Integer> activeNamespaceIds(final int namespaceCount)
    {
        final List<Integer> ids = new ArrayList<>();
        try
        {
            adminData.buffer().setMemory(0, IDENTIFY_SIZE, (byte)0);
            admin.execute(AdminCommand.identify(Opcodes.CNS_ACTIVE_NAMESPACE_LIST, 0, adminData.iova()));
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
            LOG.debug("{}: no active namespace list ({}); probing 1..{}", uri, ex.statusName(), namespaceCount);
            for (int nsid = 1; nsid <= namespaceCount; nsid++)
            {
                ids.add(nsid);
            }
        }
        return ids;
    }
}
