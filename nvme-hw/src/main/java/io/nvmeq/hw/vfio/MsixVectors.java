package io.nvmeq.hw.vfio;

import java.lang.ref.Reference;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nvmeq.hw.device.InterruptVectorException;
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
 * INTx-only) and the kernel owns the table, but it lets userspace route one vector at a time: a
 * VFIO_DEVICE_SET_IRQS for that vector alone with fd -1 {@link #detach(int) detaches} it (the kernel frees
 * its interrupt, which masks the table entry; a message the device raises meanwhile sets the entry's
 * Pending bit), and the same call with the eventfd {@link #attach(int) attaches} it again (the kernel
 * requests the interrupt, which unmasks the entry, and the device delivers the pending message then).
 * A refused detach leaves the vector attached for good (every completion signals, as without
 * detaching); a refused attach leaves it detached and throws, and the next attach tries again; either
 * is logged once. {@link #close()} disables MSI-X (DATA_NONE | ACTION_TRIGGER, count 0) and closes the
 * eventfds; attach and detach do nothing after it (an eventfd routed to a disabled MSI-X range would
 * enable it again).
 */
final class MsixVectors implements InterruptVectors
{
    private static final Logger LOG = LoggerFactory.getLogger(MsixVectors.class);

    /** Routed to its eventfd, and detached while its owner polls. */
    private static final byte ATTACHED = 0;
    /** Detached: the table entry is masked, a raise sets the Pending bit. */
    private static final byte DETACHED = 1;
    /** Attached for good: a detach or attach was refused once (every completion signals, as without detaching). */
    private static final byte PINNED = 2;
    /** Detached, and the attach was refused: the next attach tries again, and pins the vector if it succeeds. */
    private static final byte REFUSED = 3;

    /**
     * VFIO_DEVICE_SET_IRQS with a vfio_irq_set: returns 0, or the errno it failed with. The device fd's
     * ioctl; tests record the calls instead.
     */
    @FunctionalInterface
    interface SetIrqs
    {
        int call(UnsafeBuffer set);
    }

    private final String uri;
    private final int count;
    private final SetIrqs setIrqs;
    /** One vector's vfio_irq_set, rewritten for each attach and detach (under this object's lock). */
    private final UnsafeBuffer single;
    private final byte[] states;
    private EventFd[] eventFds;
    private boolean closed;
    private boolean refusalLogged;

    MsixVectors(final String uri, final int count, final SetIrqs setIrqs)
    {
        this.uri = uri;
        this.count = count;
        this.setIrqs = setIrqs;
        this.single = VfioIrqs.trigger(VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, new int[1]);
        this.states = new byte[count];
    }

    private static SetIrqs ioctl(final int deviceFd)
    {
        return set ->
        {
            final int result = VfioLibC.libc().ioctl(deviceFd, VfioIoctls.DEVICE_SET_IRQS, set.addressOffset());
            final int errno = result == 0 ? 0 : VfioLibC.errno();
            Reference.reachabilityFence(set);
            return result == 0 ? 0 : Math.max(errno, 1);
        };
    }

    /** The MSI-X vectors of {@code deviceFd}; none if the device has no MSI-X index or it signals no eventfds. */
    static MsixVectors query(final String uri, final int deviceFd, final int numIrqs)
    {
        if (numIrqs <= VfioIoctls.PCI_MSIX_IRQ_INDEX)
        {
            return new MsixVectors(uri, 0, ioctl(deviceFd));
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
        return new MsixVectors(uri, eventFds ? info.getInt(VfioIrqs.INFO_COUNT) : 0, ioctl(deviceFd));
    }

    @Override
    public int count()
    {
        return count;
    }

    @Override
    public synchronized EventFd eventFd(final int vector)
    {
        checkVector(vector);
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
            final int errno = setIrqs.call(VfioIrqs.trigger(VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, fds));
            if (errno != 0)
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

    @Override
    public boolean detachable()
    {
        return count > 0;
    }

    @Override
    public synchronized boolean detach(final int vector)
    {
        if (!routed(vector) || states[vector] == PINNED)
        {
            return false;
        }
        if (states[vector] != ATTACHED)
        {
            return true;
        }
        final int errno = setIrqs.call(single(vector, -1));
        if (errno != 0)
        {
            // The kernel frees the old trigger before it looks at the new fd, so a refusal came before it
            // touched the vector: still attached, and it stays so.
            states[vector] = PINNED;
            logRefusal("detaching", vector, errno, "it stays attached, and every completion on it raises an interrupt");
            return false;
        }
        states[vector] = DETACHED;
        return true;
    }

    @Override
    public synchronized void attach(final int vector)
    {
        if (!routed(vector) || (states[vector] != DETACHED && states[vector] != REFUSED))
        {
            return;
        }
        final int errno = setIrqs.call(single(vector, eventFds[vector].fd()));
        if (errno != 0)
        {
            // Freed before the refusal (or never requested): the vector raises nothing until an attach succeeds.
            states[vector] = REFUSED;
            logRefusal("attaching", vector, errno, "its owner polls instead of waiting until an attach succeeds, " +
                "then the vector stays attached");
            throw new InterruptVectorException(vector, "ioctl", errno,
                "VFIO_DEVICE_SET_IRQS(MSI-X vector " + vector + ", its eventfd) of " + uri);
        }
        states[vector] = states[vector] == REFUSED ? PINNED : ATTACHED;
    }

    /** Whether {@code vector} is detached now (tests and diagnostics). */
    synchronized boolean detached(final int vector)
    {
        return routed(vector) && (states[vector] == DETACHED || states[vector] == REFUSED);
    }

    private boolean routed(final int vector)
    {
        checkVector(vector);
        return eventFds != null && !closed;
    }

    private void checkVector(final int vector)
    {
        if (vector < 0 || vector >= count)
        {
            throw new IllegalArgumentException("interrupt vector " + vector + ": " + uri +
                (count == 0 ? " has no MSI-X vectors" : " has MSI-X vectors 0.." + (count - 1)));
        }
    }

    private UnsafeBuffer single(final int vector, final int fd)
    {
        single.putInt(VfioIrqs.SET_START, vector);
        single.putInt(VfioIrqs.SET_HEADER_BYTES, fd);
        return single;
    }

    private void logRefusal(final String what, final int vector, final int errno, final String consequence)
    {
        if (!refusalLogged)
        {
            refusalLogged = true;
            LOG.warn("{}: {} MSI-X vector {} failed ({}); {} (logged once)", uri, what, vector,
                SetupProblems.errnoText(errno), consequence);
        }
        else
        {
            LOG.debug("{}: {} MSI-X vector {} failed ({})", uri, what, vector, SetupProblems.errnoText(errno));
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
        final int errno = setIrqs.call(VfioIrqs.disable(VfioIoctls.PCI_MSIX_IRQ_INDEX));
        if (errno != 0)
        {
            LOG.warn("disabling MSI-X of {} failed: {}", uri, SetupProblems.errnoText(errno));
        }
        for (final EventFd eventFd : eventFds)
        {
            eventFd.close();
        }
    }
}
