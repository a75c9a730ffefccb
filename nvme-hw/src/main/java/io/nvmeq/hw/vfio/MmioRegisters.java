package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.RegisterSpace;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * BAR0 mapped into the process: every access is one volatile 32-bit load or store, the width every NVMe
 * controller accepts. A 64-bit register is accessed as two 32-bit halves, low then high, as Linux's
 * {@code lo_hi_writeq} does, because some controllers reject 64-bit MMIO; the driver writes 64-bit
 * registers (ASQ, ACQ) only while the controller is disabled, when the split is harmless.
 */
final class MmioRegisters implements RegisterSpace
{
    private final UnsafeBuffer bar;

    MmioRegisters(final long address, final int length)
    {
        this.bar = new UnsafeBuffer(address, length);
    }

    @Override
    public int read32(final int offset)
    {
        return bar.getIntVolatile(offset);
    }

    @Override
    public long read64(final int offset)
    {
        final long low = bar.getIntVolatile(offset) & 0xffff_ffffL;
        final long high = bar.getIntVolatile(offset + 4) & 0xffff_ffffL;
        return high << 32 | low;
    }

    @Override
    public void write32(final int offset, final int value)
    {
        bar.putIntVolatile(offset, value);
    }

    @Override
    public void write64(final int offset, final long value)
    {
        bar.putIntVolatile(offset, (int)value);
        bar.putIntVolatile(offset + 4, (int)(value >>> 32));
    }

    /** The mapped length of BAR0 in bytes. */
    int length()
    {
        return bar.capacity();
    }

    /** Detaches from the mapping before it is unmapped, so a stray access fails a bounds check instead of faulting. */
    void detach()
    {
        bar.wrap(new byte[0]);
    }
}
