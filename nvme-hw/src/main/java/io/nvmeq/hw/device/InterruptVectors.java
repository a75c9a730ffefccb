package io.nvmeq.hw.device;

import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.nativeio.ReadinessWait;

/**
 * A device's interrupt vectors as eventfds: the vector a completion queue was created with (Create
 * I/O Completion Queue with IEN = 1 and IV = the vector) signals {@link #eventFd(int) its eventfd}
 * when the controller posts to that queue. On VFIO the kernel signals it for the MSI-X vector; the
 * emulated controller writes it itself. Several completion queues may share a vector (a device with
 * fewer vectors than queues): each of them signals the same eventfd. A waiter re-checks every queue
 * of the vector after a wake-up, and re-checks after arming, since the eventfd stays readable until
 * drained (no completion that lands between the last check and the wait is lost).
 * Draining consumes the wake-up for every queue of the vector, so share a vector among the queues of
 * one owner thread (each thread waits with its own {@link ReadinessWait}).
 *
 * <p>Ask for a vector's eventfd before creating the completion queues that use it: a PCI function
 * accepts an IV other than 0 only once MSI-X is enabled (QEMU's NVMe otherwise answers Invalid
 * Interrupt Vector), and an emulated vector stays masked until it is routed.
 */
public interface InterruptVectors
{
    /** A device without interrupts: no vectors. */
    InterruptVectors NONE = new InterruptVectors()
    {
        @Override
        public int count()
        {
            return 0;
        }

        @Override
        public EventFd eventFd(final int vector)
        {
            throw new IllegalArgumentException("interrupt vector " + vector + ": this device has no interrupt vectors");
        }
    };

    /**
     * How many vectors the device offers (MSI-X Table Size): a completion queue's IV must be below it,
     * or Create I/O Completion Queue fails with Invalid Interrupt Vector.
     */
    int count();

    /**
     * Where the MSI-X table lies in BAR0, for a host that masks vectors while it polls: entry n at
     * offset + 16 × n, its Vector Control at + 12, bit 0 = Mask (PCI Local Bus 3.0 §6.8.2.9). A raise
     * while masked sets the vector's Pending bit, and unmasking delivers it. -1 where the host may not
     * write the table (vfio-pci keeps it to the kernel, and gives userspace no per-vector mask).
     */
    default int msixTableOffset()
    {
        return -1;
    }

    /**
     * The eventfd {@code vector} signals; the same one on every call. The device owns it and closes
     * it when the device closes. The first call may set up the vectors (VFIO: VFIO_DEVICE_SET_IRQS).
     *
     * @throws IllegalArgumentException if {@code vector} is not below {@link #count()}
     */
    EventFd eventFd(int vector);
}
