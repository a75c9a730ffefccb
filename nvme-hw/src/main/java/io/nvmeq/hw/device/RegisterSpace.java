package io.nvmeq.hw.device;

/**
 * BAR0 of an NVMe controller as the host sees it: 32- and 64-bit MMIO at byte offsets
 * (see {@link io.nvmeq.hw.spec.Registers}). Reads of a removed device return all ones, as PCIe does.
 */
public interface RegisterSpace
{
    int read32(int offset);

    long read64(int offset);

    void write32(int offset, int value);

    void write64(int offset, long value);
}
