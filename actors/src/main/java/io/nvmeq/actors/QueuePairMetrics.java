package io.nvmeq.actors;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes the queue pairs' counters of one controller as platform MBeans, and withdraws them. */
final class QueuePairMetrics
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairMetrics.class);

    private record View(int queueId, int cpu, QueuePairCounters counters) implements QueuePairMXBean
    {
        @Override
        public int getQueueId()
        {
            return queueId;
        }

        @Override
        public int getCpu()
        {
            return cpu;
        }

        @Override
        public long getSubmitted()
        {
            return counters.submitted();
        }

        @Override
        public long getCompleted()
        {
            return counters.completed();
        }

        @Override
        public long getErrors()
        {
            return counters.errors();
        }

        @Override
        public long getRetried()
        {
            return counters.retried();
        }

        @Override
        public long getRejected()
        {
            return counters.rejected();
        }

        @Override
        public int getInFlight()
        {
            return counters.inFlight();
        }

        @Override
        public int getBacklog()
        {
            return counters.backlog();
        }

        @Override
        public long getPolls()
        {
            return counters.polls();
        }

        @Override
        public long getIdlePolls()
        {
            return counters.idlePolls();
        }

        @Override
        public long getRestarts()
        {
            return counters.restarts();
        }

        @Override
        public long getMaxDutyCycleNanos()
        {
            return counters.maxDutyCycleNanos();
        }

        @Override
        public long getDutyCyclesOverThreshold()
        {
            return counters.dutyCyclesOverThreshold();
        }
    }

    private final List<ObjectName> registered = new ArrayList<>();

    /** The name of queue {@code queueId}'s MBean for the controller at {@code deviceUri}. */
    static ObjectName objectName(final String deviceUri, final int queueId)
    {
        try
        {
            return new ObjectName("io.nvmeq:type=QueuePair,controller=" + ObjectName.quote(deviceUri) + ",qid=" + queueId);
        }
        catch (final JMException ex)
        {
            throw new IllegalArgumentException("no valid JMX name for device " + deviceUri, ex);
        }
    }

    /** Registers one MBean per queue pair (index i = queue id i + 1); a name already taken is logged and skipped. */
    void register(final String deviceUri, final List<Integer> cpus, final List<QueuePairCounters> counters)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 0; i < counters.size(); i++)
        {
            final ObjectName name = objectName(deviceUri, i + 1);
            try
            {
                server.registerMBean(new View(i + 1, cpus.get(i), counters.get(i)), name);
                registered.add(name);
            }
            catch (final JMException ex)
            {
                // The same device opened twice in one JVM: the second one's counters are not published.
                LOG.warn("queue pair counters not published as {}: {}", name, ex.toString());
            }
        }
    }

    void unregisterAll()
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (final ObjectName name : registered)
        {
            try
            {
                server.unregisterMBean(name);
            }
            catch (final JMException ex)
            {
                LOG.warn("could not withdraw {}: {}", name, ex.toString());
            }
        }
        registered.clear();
    }
}
