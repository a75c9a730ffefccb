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
     * write the table (vfio-pci keeps it to the kernel, and gives userspace no per-vector mask: see
     * {@link #detachable()}).
     */
    default int msixTableOffset()
    {
        return -1;
    }

    /**
     * Whether a host that polls may stop a vector's signals through the kernel instead of the table:
     * {@link #detach(int)} while it polls, {@link #attach(int)} before it waits. Each is a system call
     * (VFIO: VFIO_DEVICE_SET_IRQS for the one vector, which frees or requests its interrupt in the kernel),
     * so a host detaches only where it polls for long, not around every wait.
     */
    default boolean detachable()
    {
        return false;
    }

    /**
     * Stops {@code vector}'s signals while its owner polls: the kernel frees the vector's interrupt, which
     * masks its MSI-X table entry, so that a message the device raises meanwhile sets the entry's Pending
     * bit instead of signalling the eventfd. Idempotent; a no-op where not {@link #detachable()} or once
     * the device is closed. Returns whether the vector is detached now: false if the kernel refused (the
     * vector then stays attached for good and signals every completion, as without detaching; logged once).
     */
    default boolean detach(final int vector)
    {
        return false;
    }

    /**
     * Before a wait: routes {@code vector} to its eventfd again; the kernel unmasks the table entry, and
     * the device delivers the message left pending meanwhile, which signals the eventfd. Idempotent; a
     * no-op for a vector that is attached, where not {@link #detachable()}, or once the device is closed.
     *
     * @throws InterruptVectorException if the kernel refused: the vector stays detached, its owner must
     *                                  not wait for it, and the next call tries again
     */
    default void attach(final int vector)
    {
    }

    /**
     * The eventfd {@code vector} signals; the same one on every call. The device owns it and closes
     * it when the device closes. The first call may set up the vectors (VFIO: VFIO_DEVICE_SET_IRQS).
     *
     * @throws IllegalArgumentException if {@code vector} is not below {@link #count()}
     */
    EventFd eventFd(int vector);
}
