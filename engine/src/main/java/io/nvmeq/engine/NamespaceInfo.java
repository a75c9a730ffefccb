package io.nvmeq.engine;

import java.util.Arrays;
import java.util.List;

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
    byte[] identifyData)
{
    public NamespaceInfo
    {
        identifyData = identifyData.clone();
    }

    /** A copy: the record stays immutable. */
    @Override
    public byte[] identifyData()
    {
        return identifyData.clone();
    }

    /** Equal when every component is, the Identify data compared by content. */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof NamespaceInfo that && Arrays.equals(identifyData, that.identifyData) &&
            withoutData().equals(that.withoutData());
    }

    @Override
    public int hashCode()
    {
        return 31 * withoutData().hashCode() + Arrays.hashCode(identifyData);
    }

    private List<Object> withoutData()
    {
        return Arrays.asList(nsid, blocks, capacityBlocks, utilizationBlocks, blockSize, lbaFormatIndex, lbaFormatCount,
            metadataSize, relativePerformance);
    }

    public long bytes()
    {
        return blocks * blockSize;
    }
}
