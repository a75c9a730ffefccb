package io.nvmeq.hw.vfio;

import java.lang.ref.Reference;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.nativeio.NativeException;

/**
 * The MSI-X vectors of a vfio-pci device as eventfds. {@link #count()} is the MSI-X table size that
 * VFIO_DEVICE_GET_IRQ_INFO reports (QEMU's NVMe: 65 by default). The first {@link #eventFd(int)}
 * creates one eventfd per vector and routes them all with one VFIO_DEVICE_SET_IRQS
 * (DATA_EVENTFD | ACTION_TRIGGER on the MSI-X index): the kernel then programs and unmasks the table
 * entries, and signals the eventfd when the device sends a vector's message. All vectors at once,
 * because vfio-pci cannot grow an enabled MSI-X range (VFIO_IRQ_INFO_NORESIZE) without disabling it,
 * which would lose interrupts of queues already waiting. A device with fewer vectors than queues is
 * used by giving several completion queues the same vector.
 *
 * <p>Masking: vfio-pci offers no per-vector mask for MSI-X to userspace (VFIO_IRQ_SET_ACTION_MASK is
 * INTx-only) and the kernel owns the table; a host that does not want a vector's wake-ups simply does
 * not wait on its eventfd (the counter keeps what arrived). {@link #close()} disables MSI-X
 * (DATA_NONE | ACTION_TRIGGER, count 0) and closes the eventfds.
 */
final class MsixVectors implements InterruptVectors
{
    private static final Logger LOG = LoggerFactory.getLogger(MsixVectors.class);

    private final String uri;
    private final int deviceFd;
    private final int count;
    private EventFd[] eventFds;
    private boolean closed;

    private MsixVectors(final String uri, final int deviceFd, final int count)
    {
        this.uri = uri;
        this.deviceFd = deviceFd;
        this.count = count;
    }

    /** The MSI-X vectors of {@code deviceFd}; none if the device has no MSI-X index or it signals no eventfds. */
    static MsixVectors query(final String uri, final int deviceFd, final int numIrqs)
    {
        if (numIrqs <= VfioIoctls.PCI_MSIX_IRQ_INDEX)
        {
            return new MsixVectors(uri, deviceFd, 0);
        }
        final UnsafeBuffer info = VfioIrqs.info(VfioIoctls.PCI_MSIX_IRQ_INDEX);
        final int result = VfioLibC.libc().ioctl(deviceFd, VfioIoctls.DEVICE_GET_IRQ_INFO, info.addressOffset());
        final int errno = VfioLibC.errno();
        Reference.reachabilityFence(info);
        if (result != 0)
        {
            throw SetupProblems.systemCall(uri, "VFIO_DEVICE_GET_IRQ_INFO(MSI-X)", errno, "");
        }
        final boolean eventFds = (info.getInt(VfioIrqs.INFO_FLAGS) & VfioIoctls.IRQ_INFO_EVENTFD) != 0;
        return new MsixVectors(uri, deviceFd, eventFds ? info.getInt(VfioIrqs.INFO_COUNT) : 0);
    }

    @Override
    public int count()
    {
        return count;
    }

    @Override
    public synchronized EventFd eventFd(final int vector)
    {
        if (vector < 0 || vector >= count)
        {
            throw new IllegalArgumentException("interrupt vector " + vector + ": " + uri +
                (count == 0 ? " has no MSI-X vectors" : " has MSI-X vectors 0.." + (count - 1)));
        }
        if (closed)
        {
            throw new IllegalStateException(uri + " is closed");
        }
        if (eventFds == null)
        {
            eventFds = enableAll();
        }
        return eventFds[vector];
    }

    /** Whether the vectors were routed (the first {@link #eventFd(int)} did it). */
    synchronized boolean enabled()
    {
        return eventFds != null;
    }

    private EventFd[] enableAll()
    {
        final EventFd[] created = new EventFd[count];
        final int[] fds = new int[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                created[i] = EventFd.create();
                fds[i] = created[i].fd();
            }
            final UnsafeBuffer set = VfioIrqs.trigger(VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, fds);
            final int result = VfioLibC.libc().ioctl(deviceFd, VfioIoctls.DEVICE_SET_IRQS, set.addressOffset());
            final int errno = VfioLibC.errno();
            Reference.reachabilityFence(set);
            if (result != 0)
            {
                throw new NativeException("ioctl", errno, "VFIO_DEVICE_SET_IRQS(MSI-X, " + count + " eventfds) of " + uri);
            }
            LOG.debug("{}: {} MSI-X vectors routed to eventfds", uri, count);
            return created;
        }
        catch (final RuntimeException ex)
        {
            for (final EventFd eventFd : created)
            {
                if (eventFd != null)
                {
                    eventFd.close();
                }
            }
            throw ex;
        }
    }

    /** Disables MSI-X and closes the eventfds; before the device fd closes. Idempotent. */
    synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (eventFds == null)
        {
            return;
        }
        final UnsafeBuffer set = VfioIrqs.disable(VfioIoctls.PCI_MSIX_IRQ_INDEX);
        if (VfioLibC.libc().ioctl(deviceFd, VfioIoctls.DEVICE_SET_IRQS, set.addressOffset()) != 0)
        {
            LOG.warn("disabling MSI-X of {} failed: {}", uri, SetupProblems.errnoText(VfioLibC.errno()));
        }
        Reference.reachabilityFence(set);
        for (final EventFd eventFd : eventFds)
        {
            eventFd.close();
        }
    }
}
