package io.nvmeq.hw.vfio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VfioIoctlsTest
{
    /** The values the kernel header expands to (as strace prints them), written out independently. */
    @Test
    void vfioRequestsMatchTheKernelsValues()
    {
        assertEquals(0x3b64, VfioIoctls.GET_API_VERSION);
        assertEquals(0x3b65, VfioIoctls.CHECK_EXTENSION);
        assertEquals(0x3b66, VfioIoctls.SET_IOMMU);
        assertEquals(0x3b67, VfioIoctls.GROUP_GET_STATUS);
        assertEquals(0x3b68, VfioIoctls.GROUP_SET_CONTAINER);
        assertEquals(0x3b6a, VfioIoctls.GROUP_GET_DEVICE_FD);
        assertEquals(0x3b6b, VfioIoctls.DEVICE_GET_INFO);
        assertEquals(0x3b6c, VfioIoctls.DEVICE_GET_REGION_INFO);
        assertEquals(0x3b6d, VfioIoctls.DEVICE_GET_IRQ_INFO);
        assertEquals(0x3b6e, VfioIoctls.DEVICE_SET_IRQS);
        assertEquals(0x3b6f, VfioIoctls.DEVICE_RESET);
        assertEquals(0x3b70, VfioIoctls.IOMMU_GET_INFO);
        assertEquals(0x3b71, VfioIoctls.IOMMU_MAP_DMA);
        assertEquals(0x3b72, VfioIoctls.IOMMU_UNMAP_DMA);
    }

    /** vfio.h: VFIO_PCI_MSIX_IRQ_INDEX and the VFIO_IRQ_INFO_* / VFIO_IRQ_SET_* bits. */
    @Test
    void interruptConstantsMatchTheKernelHeader()
    {
        assertEquals(2, VfioIoctls.PCI_MSIX_IRQ_INDEX);
        assertEquals(1, VfioIoctls.IRQ_INFO_EVENTFD);
        assertEquals(8, VfioIoctls.IRQ_INFO_NORESIZE);
        assertEquals(1, VfioIoctls.IRQ_SET_DATA_NONE);
        assertEquals(4, VfioIoctls.IRQ_SET_DATA_EVENTFD);
        assertEquals(32, VfioIoctls.IRQ_SET_ACTION_TRIGGER);
    }

    @Test
    void theEncodingMatchesOtherWellKnownRequests()
    {
        // KVM_GET_API_VERSION = _IO(0xAE, 0x00); BLKFLSBUF = _IO(0x12, 97)
        assertEquals(0xae00, VfioIoctls.io((char)0xae, 0));
        assertEquals(0x1261, VfioIoctls.io((char)0x12, 97));
        // BLKGETSIZE64 = _IOR(0x12, 114, size_t): dir 2 (read), size 8
        assertEquals(0x80081272, VfioIoctls.ioc(2, (char)0x12, 114, 8));
        // FIONREAD-style _IOW(0x12, 93, int) would be dir 1, size 4 = 0x4004125d
        assertEquals(0x4004125d, VfioIoctls.ioc(1, (char)0x12, 93, 4));
    }

    @Test
    void outOfRangeFieldsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> VfioIoctls.io(';', 256));
        assertThrows(IllegalArgumentException.class, () -> VfioIoctls.io((char)0x100, 1));
        assertThrows(IllegalArgumentException.class, () -> VfioIoctls.ioc(4, ';', 1, 0));
        assertThrows(IllegalArgumentException.class, () -> VfioIoctls.ioc(1, ';', 1, 0x4000));
    }
}
