package io.nvmeq.hw.emu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.nativeio.EventFd;
import io.nvmeq.hw.spec.Registers;

/**
 * The emulated controller's interrupts: MSI-X vectors that write real eventfds, so that a host waits
 * on them exactly as on VFIO's. What is modelled:
 * <ul>
 *   <li>{@link #count()} vectors, one more than the I/O queue pairs (vector 0 for the admin queue),
 *       at most 2048 (MSI-X). Create I/O Completion Queue with IEN = 1 and IV = n makes the queue
 *       signal vector n; several queues may share one; the admin completion queue always uses vector 0
 *       (NVMe base spec 2.0 §3.1.3.10, ACQ: "always associated with interrupt vector 0").</li>
 *   <li>The MSI-X table and Pending Bit Array in BAR0 after the doorbells, as PCI functions place them
 *       ({@link #tableOffset()}, {@link #pbaOffset()}): 16 bytes per entry, Vector Control at +12,
 *       bit 0 = Mask. Entries start masked; the host's first {@link #eventFd(int)} routes the vector to
 *       its eventfd and clears the mask, as VFIO_DEVICE_SET_IRQS has the kernel do on a real device.
 *       The Message Address and Data are not modelled (the eventfd is the message) and read as 0.
 *       INTMS/INTMC are not used with MSI-X (§3.1.3.3, §3.1.3.4: host software shall not access them
 *       then), so they read 0 and ignore writes.</li>
 *   <li>Interrupt Coalescing (feature 08h, §5.27.1.6) and Interrupt Vector Configuration's Coalescing
 *       Disable (feature 09h, §5.27.1.7), see {@link InterruptVector}.</li>
 * </ul>
 * A vector and its eventfd are created on first use (a queue created with it, or the host asking for
 * it): a controller that no one uses with interrupts opens no file descriptor. Eventfds are closed
 * with the controller.
 */
final class Interrupts implements InterruptVectors
{
    static final int MAX_VECTORS = 2048;
    static final int TABLE_ENTRY_BYTES = 16;
    static final int VECTOR_CONTROL = 12;
    private static final long AGGREGATION_TIME_UNIT_NANOS = 100_000L;
    private static final int PAGE = 4096;

    private final EmulatedController controller;
    private final int count;
    private final int tableOffset;
    private final int pbaOffset;
    private final AtomicReferenceArray<InterruptVector> vectors;
    private final boolean[] routed;
    /** Interrupt Vector Configuration CD per vector. */
    private final boolean[] coalescingDisabled;
    /** Interrupt Coalescing: THR in bits 7:0, TIME in 15:8. */
    private volatile int coalescing;
    private volatile LongSupplier clock = System::nanoTime;
    private boolean closed;

    Interrupts(final EmulatedController controller, final int maxIoQueuePairs)
    {
        this.controller = controller;
        this.count = Math.min(maxIoQueuePairs + 1, MAX_VECTORS);
        final int doorbellsEnd = Registers.DOORBELL_BASE + 8 * (maxIoQueuePairs + 1);
        this.tableOffset = alignToPage(doorbellsEnd);
        this.pbaOffset = tableOffset + alignToPage(count * TABLE_ENTRY_BYTES);
        this.vectors = new AtomicReferenceArray<>(count);
        this.routed = new boolean[count];
        this.coalescingDisabled = new boolean[count];
    }

    private static int alignToPage(final int offset)
    {
        return (offset + PAGE - 1) & -PAGE;
    }

    @Override
    public int count()
    {
        return count;
    }

    /** Routes {@code vector} to its eventfd (creating it on first use) and unmasks it the first time. */
    @Override
    public EventFd eventFd(final int vector)
    {
        if (vector < 0 || vector >= count)
        {
            throw new IllegalArgumentException("interrupt vector " + vector + ": the emulated controller has vectors 0.." +
                (count - 1));
        }
        final InterruptVector interruptVector = vector(vector);
        final boolean first;
        synchronized (this)
        {
            first = !routed[vector];
            routed[vector] = true;
        }
        if (first)
        {
            interruptVector.vectorControl(0);
        }
        return interruptVector.eventFd();
    }

    /** Vector {@code number}, created with its eventfd on first use. */
    InterruptVector vector(final int number)
    {
        final InterruptVector existing = vectors.get(number);
        if (existing != null)
        {
            return existing;
        }
        final InterruptVector created;
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("the emulated controller " + controller.uri() + " is closed");
            }
            if (vectors.get(number) != null)
            {
                return vectors.get(number);
            }
            created = new InterruptVector(number, this, EventFd.create());
            vectors.set(number, created);
        }
        if (number == 0)
        {
            controller.routeAdminInterrupts(created);
        }
        return created;
    }

    /** Vector {@code number} if it exists already, else null. */
    InterruptVector existing(final int number)
    {
        return vectors.get(number);
    }

    int tableOffset()
    {
        return tableOffset;
    }

    /** The host may mask vectors through the table, as a PCI function's MSI-X capability lets it. */
    @Override
    public int msixTableOffset()
    {
        return tableOffset;
    }

    int pbaOffset()
    {
        return pbaOffset;
    }

    /** Whether BAR0 {@code offset} is in the MSI-X table or PBA (else it is a doorbell). */
    boolean isMsixRegister(final int offset)
    {
        return offset >= tableOffset;
    }

    /** Reads the MSI-X table or PBA; 0 outside them and for what is not modelled. */
    int readMsix(final int offset)
    {
        if (offset < pbaOffset)
        {
            final int entry = (offset - tableOffset) / TABLE_ENTRY_BYTES;
            if (entry >= count || (offset - tableOffset) % TABLE_ENTRY_BYTES != VECTOR_CONTROL)
            {
                return 0;
            }
            final InterruptVector vector = vectors.get(entry);
            return vector == null ? 1 : vector.vectorControl();
        }
        final int first = (offset - pbaOffset) / 4 * 32;
        int bits = 0;
        for (int i = 0; i < 32 && first + i < count; i++)
        {
            final InterruptVector vector = vectors.get(first + i);
            if (vector != null && vector.isPending())
            {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    /** Writes the MSI-X table: only Vector Control has an effect; the PBA is read-only. */
    void writeMsix(final int offset, final int value)
    {
        if (offset >= pbaOffset)
        {
            return;
        }
        final int entry = (offset - tableOffset) / TABLE_ENTRY_BYTES;
        if (entry < count && (offset - tableOffset) % TABLE_ENTRY_BYTES == VECTOR_CONTROL)
        {
            final InterruptVector vector = (value & 1) == 0 ? vector(entry) : vectors.get(entry);
            if (vector != null)
            {
                vector.vectorControl(value);
            }
        }
    }

    // ---- Set/Get Features 08h and 09h

    int coalescing()
    {
        return coalescing;
    }

    void coalescing(final int cdw11)
    {
        coalescing = cdw11 & 0xFFFF;
    }

    /** THR: zero-based, so THR + 1 entries raise the interrupt. */
    int aggregationThreshold()
    {
        return coalescing & 0xFF;
    }

    /** TIME of vector {@code number} in nanoseconds; 0 if coalescing is off or disabled for it. */
    long aggregationTimeNanos(final int number)
    {
        final int time = (coalescing >>> 8) & 0xFF;
        if (time == 0)
        {
            return 0;
        }
        synchronized (this)
        {
            return coalescingDisabled[number] ? 0 : time * AGGREGATION_TIME_UNIT_NANOS;
        }
    }

    synchronized boolean coalescingDisabled(final int number)
    {
        return coalescingDisabled[number];
    }

    synchronized void coalescingDisabled(final int number, final boolean disabled)
    {
        coalescingDisabled[number] = disabled;
    }

    /** Controller reset: features back to their defaults, aggregates dropped; vectors and masks stay. */
    void reset()
    {
        synchronized (this)
        {
            coalescing = 0;
            Arrays.fill(coalescingDisabled, false);
        }
        for (int i = 0; i < count; i++)
        {
            final InterruptVector vector = vectors.get(i);
            if (vector != null)
            {
                vector.resetCoalescing();
            }
        }
    }

    long nanoTime()
    {
        return clock.getAsLong();
    }

    /** Tests replace the clock to check Aggregation Time without waiting on the wall clock. */
    void clock(final LongSupplier clock)
    {
        this.clock = clock;
    }

    /** Closes every eventfd; a completion posted later signals nothing. */
    void close()
    {
        synchronized (this)
        {
            closed = true;
        }
        for (int i = 0; i < count; i++)
        {
            final InterruptVector vector = vectors.get(i);
            if (vector != null)
            {
                vector.eventFd().close();
            }
        }
    }
}
