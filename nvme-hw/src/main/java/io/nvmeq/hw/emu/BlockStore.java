package io.nvmeq.hw.emu;

/**
 * Where namespace data lives. Offsets are byte offsets into the store; host addresses point at
 * memory the IOMMU has already translated and checked, so a store never sees an IOVA.
 * Implementations are safe for concurrent calls from several queue threads.
 */
interface BlockStore extends AutoCloseable
{
    /** Copies {@code length} bytes at {@code offset} of the store to host memory. */
    void read(long offset, long hostAddress, long length);

    /** Copies {@code length} bytes of host memory to the store at {@code offset}. */
    void write(long offset, long hostAddress, long length);

    void writeZeroes(long offset, long length);

    /** Makes every completed write durable (a no-op where nothing is durable). */
    void flush();

    @Override
    void close();
}
