package io.nvmeq.hw.spec;

/**
 * The memory page nvmeq uses for everything a device reaches: the driver enables the controller with
 * CC.MPS = 0, a page of 2 ^ (12 + MPS) = 4 KiB (NVMe base spec §3.1.3.5), so every PRP entry after the
 * first is 4 KiB aligned and a PRP list holds 512 entries; the emulated IOMMU maps in the same pages,
 * and DMA memory falls back to them when the system reports no page size.
 */
public final class MemoryPage
{
    public static final int SHIFT = 12;
    public static final int SIZE = 1 << SHIFT;
    public static final int MASK = SIZE - 1;

    private MemoryPage()
    {
    }
}
