package io.nvmeq.actors;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.nvmeq.engine.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-queue counters, read as a JMX client would: through the platform MBean server. */
class QueuePairMetricsTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    @Test
    void queuePairCountersArePublishedPerQueueWhileTheControllerIsUp() throws Exception
    {
        final NvmeqSettings settings = TestSupport.settings("JMX-1");
        nvmeq = Nvmeq.open(settings);
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final ObjectName first = new ObjectName("io.nvmeq:type=QueuePair,controller=" + ObjectName.quote(settings.device()) +
            ",qid=1");
        final ObjectName second = QueuePairMetrics.objectName(settings.device(), 2);
        assertEquals(List.of(1, 2), queueIdsPublishedFor(server, settings.device()));

        final int blockSize = nvmeq.namespace(NSID).blockSize();
        final DmaBuffer buffer = nvmeq.allocate(blockSize);
        final List<CompletableFuture<Void>> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            requests.add(nvmeq.queue(0).write(NSID, i, 1, buffer, 0, false).toCompletableFuture());
        }
        for (int i = 0; i < 3; i++)
        {
            requests.add(nvmeq.queue(1).read(NSID, i, 1, buffer, 0).toCompletableFuture());
        }
        // One refused before reaching the device: an error, answered, not submitted.
        requests.add(nvmeq.queue(1).read(NSID, nvmeq.namespace(NSID).blocks(), 1, buffer, 0).toCompletableFuture());
        for (final CompletableFuture<Void> request : requests)
        {
            request.handle((ok, error) -> null).get(10, TimeUnit.SECONDS);
        }

        assertEquals(10L, server.getAttribute(first, "Submitted"));
        assertEquals(10L, server.getAttribute(first, "Completed"));
        assertEquals(0L, server.getAttribute(first, "Errors"));
        assertEquals(1, server.getAttribute(first, "QueueId"));
        assertEquals(nvmeq.cpus().get(0), server.getAttribute(first, "Cpu"));
        assertEquals(3L, server.getAttribute(second, "Submitted"));
        assertEquals(4L, server.getAttribute(second, "Completed"));
        assertEquals(1L, server.getAttribute(second, "Errors"));
        assertEquals(0, server.getAttribute(second, "InFlight"));
        assertEquals(0, server.getAttribute(second, "Backlog"));
        assertTrue((Long)server.getAttribute(first, "Polls") >= 1, "polls");
        assertTrue((Long)server.getAttribute(first, "IdlePolls") <= (Long)server.getAttribute(first, "Polls"));
        assertEquals(0L, server.getAttribute(first, "Restarts"));

        // A restart is counted (the crash is injected through the actor protocol).
        nvmeq.queuePairRefs().get(0).tell(new QueuePairCommand.Crash("metrics test", false));
        nvmeq.queue(0).write(NSID, 0, 1, buffer, 0, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1L, server.getAttribute(first, "Restarts"));
        assertEquals(11L, server.getAttribute(first, "Completed"));
        assertEquals(nvmeq.counters(0).completed(), (Long)server.getAttribute(first, "Completed"));

        nvmeq.close();
        assertFalse(server.isRegistered(first));
        assertFalse(server.isRegistered(second));
        assertEquals(List.of(), queueIdsPublishedFor(server, settings.device()));
    }

    private static List<Integer> queueIdsPublishedFor(final MBeanServer server, final String device) throws Exception
    {
        final List<Integer> ids = new ArrayList<>();
        for (final ObjectName name : server.queryNames(new ObjectName("io.nvmeq:type=QueuePair,*"), null))
        {
            if (ObjectName.unquote(name.getKeyProperty("controller")).equals(device))
            {
                ids.add(Integer.parseInt(name.getKeyProperty("qid")));
            }
        }
        ids.sort(null);
        return ids;
    }
}
