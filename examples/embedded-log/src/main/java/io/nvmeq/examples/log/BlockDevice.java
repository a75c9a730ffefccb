package io.nvmeq.examples.log;

import java.util.concurrent.CompletableFuture;

/**
 * What the log needs of a device: blocks of a fixed size, a durable write (the future completes once the
 * data would survive a crash) and a plain read. Two implementations: nvmeq ({@link NvmeqBlockDevice}, FUA
 * writes) and a file ({@link FileChannelBlockDevice}, DSYNC or force), so that one log runs on both.
 */
interface BlockDevice extends AutoCloseable
{
    int blockSize();

    /** Blocks the log may use: 0 .. blocks() - 1. */
    long blocks();

    /**
     * Writes {@code blocks} blocks from {@code data} at {@code lba}, durably. The caller may reuse
     * {@code data} as soon as this returns. Blocks while the device already has its maximum in flight.
     */
    CompletableFuture<Void> writeDurable(long lba, byte[] data, int blocks);

    /** Reads {@code blocks} blocks at {@code lba} into {@code into}, waiting for them. */
    void read(long lba, byte[] into, int blocks);

    @Override
    void close();
}
