package io.nvmeq.hw.device;

/**
 * What a driver sees of an NVMe controller, nothing more: BAR0 registers and doorbells, and an
 * IOMMU through which the device reaches host DMA memory. Implemented by VFIO (real hardware) and by
 * the emulated controller. The driver never calls anything else on a device.
 */
public interface NvmeDevice extends AutoCloseable
{
    /** The URI this device was opened with, e.g. {@code emu:memory?size=64m} or {@code nvme://0000:44:00.0/1}. */
    String uri();

    /** The namespace the URI names (the {@code /1} of {@code nvme://0000:44:00.0/1}), or 1. */
    int defaultNamespace();

    RegisterSpace registers();

    Iommu iommu();

    /**
     * Called by the driver's poll loop for completion queue {@code cqId} before it reads that queue.
     * A hardware device posts completions on its own, so this is a no-op there; the emulated
     * controller, which has no thread of its own, posts here the completions whose modelled time has
     * come. Safe to call from the one thread that owns that completion queue.
     */
    void poll(int cqId);

    /**
     * When {@link #poll(int)} of {@code cqId} must run next for the device to make progress on its own
     * (in {@link System#nanoTime()} terms), or {@link Long#MAX_VALUE} if never: the bound of a sleep on
     * an interrupt eventfd while commands are in flight. Hardware posts completions itself, so
     * MAX_VALUE there; the emulated controller, which has no thread, answers with its next modelled
     * completion or interrupt coalescing deadline.
     */
    default long nextPollDeadline(final int cqId)
    {
        return Long.MAX_VALUE;
    }

    /** The device's interrupt vectors as eventfds ({@link InterruptVectors#NONE} if it has none). */
    default InterruptVectors interrupts()
    {
        return InterruptVectors.NONE;
    }

    /** Releases the device (VFIO: reset and close the file descriptors). Idempotent. */
    @Override
    void close();
}
