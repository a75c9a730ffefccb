package io.nvmeq.engine;

/**
 * An active namespace, from Identify Namespace. Sizes are in logical blocks. {@code identifyData} is the 4096-byte
 * Identify Namespace data as the controller returned it (read it with {@link io.nvmeq.hw.spec.IdentifyNamespace}).
 */
public record NamespaceInfo(
    int nsid,
    long blocks,
    long capacityBlocks,
    long utilizationBlocks,
    int blockSize,
    int lbaFormatIndex,
    int lbaFormatCount,
    int metadataSize,
    int relativePerformance,
    IdentifyBytes identifyData)
{
    public long bytes()
    {
        return blocks * blockSize;
    }
}
