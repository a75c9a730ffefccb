package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.IovaRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IommuInfoTest
{
    /** What an Intel IOMMU reports on Linux 6.1: 4K/2M/1G pages, the MSI window cut out, a DMA_AVAIL cap. */
    private static UnsafeBuffer intelInfo()
    {
        final UnsafeBuffer info = new UnsafeBuffer(new byte[128]);
        info.putInt(0, 80);
        info.putInt(4, VfioIoctls.IOMMU_INFO_PGSIZES | VfioIoctls.IOMMU_INFO_CAPS);
        info.putLong(8, 0x40201000L);
        info.putInt(16, 24);
        // IOVA range capability at 24: id 1, version 1, next 72
        info.putShort(24, (short)1);
        info.putShort(26, (short)1);
        info.putInt(28, 72);
        info.putInt(32, 2);
        info.putLong(40, 0);
        info.putLong(48, 0xfedf_ffffL);
        info.putLong(56, 0xfef0_0000L);
        info.putLong(64, 0xffff_ffff_ffffL);
        // DMA available capability at 72: id 3, version 1, last
        info.putShort(72, (short)3);
        info.putShort(74, (short)1);
        info.putInt(76, 0);
        info.putInt(80, 65535);
        return info;
    }

    @Test
    void parsesPageSizesRangesAndAvailableMappings()
    {
        final IommuInfo info = IommuInfo.parse(intelInfo(), 84);
        assertEquals(4096, info.pageSize());
        assertEquals(List.of(new IovaRange(0, 0xfee0_0000L), new IovaRange(0xfef0_0000L, 1L << 48)),
            info.usableRanges());
        assertEquals(65535, info.dmaAvailable().getAsInt());
    }

    @Test
    void withoutCapabilitiesTheDefault48BitSpaceIsAssumed()
    {
        final UnsafeBuffer info = intelInfo();
        info.putInt(4, VfioIoctls.IOMMU_INFO_PGSIZES);
        final IommuInfo parsed = IommuInfo.parse(info, 24);
        assertEquals(List.of(IommuInfo.DEFAULT_RANGE), parsed.usableRanges());
        assertTrue(parsed.dmaAvailable().isEmpty());
    }

    @Test
    void anEndOfAllOnesIsCutAtTheLargestSignedLong()
    {
        final UnsafeBuffer info = intelInfo();
        info.putInt(32, 1);
        info.putLong(40, 0x1000);
        info.putLong(48, -1L);
        final IommuInfo parsed = IommuInfo.parse(info, 84);
        assertEquals(List.of(new IovaRange(0x1000, Long.MAX_VALUE)), parsed.usableRanges());
    }

    @Test
    void aLoopingOrTruncatedChainIsRefused()
    {
        final UnsafeBuffer looping = intelInfo();
        looping.putInt(76, 24);
        assertThrows(IllegalArgumentException.class, () -> IommuInfo.parse(looping, 84));

        final UnsafeBuffer truncated = intelInfo();
        truncated.putInt(32, 5);
        assertThrows(IllegalArgumentException.class, () -> IommuInfo.parse(truncated, 84));

        assertThrows(IllegalArgumentException.class, () -> IommuInfo.parse(intelInfo(), 16));
    }

    @Test
    void noPageSizeFlagMeansFourKilobytes()
    {
        final UnsafeBuffer info = intelInfo();
        info.putInt(4, 0);
        assertEquals(4096, IommuInfo.parse(info, 24).pageSize());
    }
}
