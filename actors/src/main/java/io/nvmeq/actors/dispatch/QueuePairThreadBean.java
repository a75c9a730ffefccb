package io.nvmeq.actors.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link QueuePairThreadMXBean} of one executor, registered for the life of its thread. */
final class QueuePairThreadBean implements QueuePairThreadMXBean
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairThreadBean.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BusyPollExecutor executor;
    private ObjectName name;

    private QueuePairThreadBean(final BusyPollExecutor executor)
    {
        this.executor = executor;
    }

    /** Registers the bean of {@code executor}; a JMX failure is logged and costs only the bean. */
    static QueuePairThreadBean register(final BusyPollExecutor executor)
    {
        final QueuePairThreadBean bean = new QueuePairThreadBean(executor);
        final BusyPollThread thread = executor.thread();
        try
        {
            final ObjectName name = new ObjectName("io.nvmeq:type=QueuePairThread,name=" +
                ObjectName.quote(thread.getName()) + ",id=" + thread.getId());
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            bean.name = name;
        }
        catch (final JMException ex)
        {
            LOG.warn("{}: no JMX bean for this queue-pair thread", thread.getName(), ex);
        }
        return bean;
    }

    /** CPU time of {@code thread} so far, ns, or -1 where the JVM does not measure it. */
    static long cpuTimeNanos(final Thread thread)
    {
        try
        {
            return THREADS.isThreadCpuTimeSupported() ? THREADS.getThreadCpuTime(thread.getId()) : -1;
        }
        catch (final UnsupportedOperationException ex)
        {
            return -1;
        }
    }

    void unregister()
    {
        if (name == null)
        {
            return;
        }
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            server.unregisterMBean(name);
        }
        catch (final JMException ex)
        {
            LOG.debug("JMX bean {} was gone already", name, ex);
        }
        name = null;
    }

    @Override
    public String getThreadName()
    {
        return executor.thread().getName();
    }

    @Override
    public String getCompletionMode()
    {
        return executor.completionMode().configName();
    }

    @Override
    public int getPinnedCpu()
    {
        return executor.thread().pinnedCpu();
    }

    @Override
    public long getCpuTimeNanos()
    {
        return executor.cpuTimeNanos();
    }

    @Override
    public long getSleeps()
    {
        return executor.sleepCounters().sleeps();
    }

    @Override
    public long getInterrupts()
    {
        return executor.sleepCounters().interrupts();
    }

    @Override
    public long getSpuriousWakeups()
    {
        return executor.sleepCounters().spuriousWakeups();
    }

    @Override
    public long getPollWindowHits()
    {
        return executor.sleepCounters().pollWindowHits();
    }

    @Override
    public long getPollWindowNanos()
    {
        return executor.sleepCounters().pollWindowNanos();
    }

    @Override
    public long getMaxDutyCycleNanos()
    {
        return executor.dutyCycles().maxCycleNanos();
    }
}
