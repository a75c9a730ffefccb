package io.nvmeq.hw.vfio;

import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.device.IovaRange;
import io.nvmeq.hw.nativeio.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks made before VFIO_IOMMU_MAP_DMA/UNMAP_DMA, against a file descriptor that is not a container
 * (/dev/null): a request that passes the checks reaches the kernel, which refuses it (ENOTTY).
 */
class VfioIommuTest
{
    private int fd;
    private VfioIommu iommu;

    @BeforeEach
    void open()
    {
        fd = LibC.libc().open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC);
        assertTrue(fd >= 0);
        iommu = new VfioIommu("nvme://0000:44:00.0/1", fd, 4096,
            List.of(new IovaRange(0, 0xfee0_0000L), new IovaRange(0xfef0_0000L, 1L << 48)), 100);
    }

    @AfterEach
    void close()
    {
        LibC.libc().close(fd);
    }

    private IommuException.Reason mapRefusal(final long host, final long length, final long iova)
    {
        return assertThrows(IommuException.class, () -> iommu.map(host, length, iova)).reason();
    }

    @Test
    void unalignedOrEmptyMappingsAreRefusedBeforeTheKernel()
    {
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1001, 0x1000, 0x1000));
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1000, 0x1800, 0x1000));
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1000, 0x1000, 0x1200));
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1000, 0, 0x1000));
        assertEquals(IommuException.Reason.INVALID,
            assertThrows(IommuException.class, () -> iommu.unmap(0x1000, 0x10)).reason());
    }

    @Test
    void mappingsOutsideTheUsableRangesAreRefusedWithTheRanges()
    {
        final IommuException ex = assertThrows(IommuException.class,
            () -> iommu.map(0x1000, 0x20_0000, 0xfee0_0000L));
        assertEquals(IommuException.Reason.INVALID, ex.reason());
        assertTrue(ex.getMessage().contains("[0x0, 0xfee00000), [0xfef00000, 0x1000000000000)"), ex.getMessage());
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1000, 0x2000, 0xfedf_f000L));
        assertEquals(IommuException.Reason.INVALID, mapRefusal(0x1000, 0x1000, 1L << 48));
    }

    @Test
    void aValidRequestReachesTheKernelAndItsErrnoIsReported()
    {
        final IommuException ex = assertThrows(IommuException.class, () -> iommu.map(0x1000, 0x1000, 0x1000));
        assertTrue(ex.getMessage().contains("VFIO_IOMMU_MAP_DMA") && ex.getMessage().contains("errno 25"),
            ex.getMessage());
        assertEquals(0, iommu.mappedBytes());
        final IommuException unmap = assertThrows(IommuException.class, () -> iommu.unmap(0x1000, 0x1000));
        assertTrue(unmap.getMessage().contains("errno 25"), unmap.getMessage());
    }

    @Test
    void aClosedIommuRefusesEverything()
    {
        iommu.markClosed();
        assertThrows(IllegalStateException.class, () -> iommu.map(0x1000, 0x1000, 0x1000));
        assertThrows(IllegalStateException.class, () -> iommu.unmap(0x1000, 0x1000));
    }

    @Test
    void reportsWhatItWasGiven()
    {
        assertEquals(4096, iommu.pageSize());
        assertEquals(100, iommu.mappingLimit());
        assertEquals(2, iommu.usableRanges().size());
    }
}
