package io.nvmeq.engine;

/** An active namespace, from Identify Namespace. Sizes are in logical blocks. */
public record NamespaceInfo(
    int nsid,
    long blocks,
    long capacityBlocks,
    long utilizationBlocks,
    int blockSize,
    int lbaFormatIndex,
    int lbaFormatCount,
    int metadataSize,
    int relativePerformance)
{
    public long bytes()
    {
        return blocks * blockSize;
    }
}
