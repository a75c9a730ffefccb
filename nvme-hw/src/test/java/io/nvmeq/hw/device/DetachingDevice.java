package io.nvmeq.hw.device;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.vfio.VfioLibC;

/**
 * An emulated controller whose interrupt vectors behave as vfio-pci's do: the host may not write the
 * MSI-X table ({@link InterruptVectors#msixTableOffset()} is -1) but may {@link InterruptVectors#detach(int)}
 * and {@link InterruptVectors#attach(int)} a vector, and every vector is attached once routed. Here the
 * detach and attach do what the kernel does for vfio-pci (free_irq masks the table entry, request_irq
 * unmasks it): they write the entry's Mask bit through the controller's BAR, so a completion posted while
 * detached sets the Pending bit and the attach delivers it, as on the device. Every detach and attach is
 * recorded ("detach 1", "attach 1"), and attaches can be made to fail, as a refused VFIO_DEVICE_SET_IRQS.
 */
public final class DetachingDevice extends ForwardingDevice
{
    private final int table;
    private final Vectors vectors = new Vectors();

    /** Wraps an emulated controller ({@code emu:...}), whose MSI-X table the host may write. */
    public DetachingDevice(final NvmeDevice device)
    {
        super(device);
        this.table = device.interrupts().msixTableOffset();
        if (table < 0)
        {
            throw new IllegalArgumentException(device.uri() + " has no MSI-X table the host may write");
        }
    }

    /** The detaches and attaches issued so far, in order: "detach N" or "attach N". */
    public List<String> calls()
    {
        synchronized (vectors)
        {
            return new ArrayList<>(vectors.calls);
        }
    }

    /** Whether {@code vector} is detached now. */
    public boolean detached(final int vector)
    {
        synchronized (vectors)
        {
            return vectors.detached.contains(vector);
        }
    }

    /** How many attaches were refused so far. */
    public int refusedAttaches()
    {
        synchronized (vectors)
        {
            return vectors.refused;
        }
    }

    /** The next {@code count} attaches fail (EBUSY) and leave their vector detached. */
    public void refuseAttaches(final int count)
    {
        synchronized (vectors)
        {
            vectors.refusals = count;
        }
    }

    @Override
    public InterruptVectors interrupts()
    {
        return vectors;
    }

    private void writeMask(final int vector, final int mask)
    {
        device.registers().write32(table + 16 * vector + 12, mask);
    }

    private final class Vectors implements InterruptVectors
    {
        private final List<String> calls = new ArrayList<>();
        private final Set<Integer> routed = new HashSet<>();
        private final Set<Integer> detached = new HashSet<>();
        private int refusals;
        private int refused;

        @Override
        public int count()
        {
            return device.interrupts().count();
        }

        @Override
        public synchronized EventFd eventFd(final int vector)
        {
            final EventFd eventFd = device.interrupts().eventFd(vector);
            if (routed.add(vector))
            {
                writeMask(vector, 0); // routed and unmasked, as VFIO_DEVICE_SET_IRQS does for every vector
            }
            return eventFd;
        }

        @Override
        public boolean detachable()
        {
            return true;
        }

        @Override
        public synchronized boolean detach(final int vector)
        {
            if (detached.add(vector))
            {
                calls.add("detach " + vector);
                writeMask(vector, 1);
            }
            return true;
        }

        @Override
        public synchronized void attach(final int vector)
        {
            if (!detached.contains(vector))
            {
                return;
            }
            calls.add("attach " + vector);
            if (refusals > 0)
            {
                refusals--;
                refused++;
                throw new InterruptVectorException(vector, "ioctl", VfioLibC.EBUSY, "refused by the test");
            }
            detached.remove(vector);
            writeMask(vector, 0);
        }
    }
}
