package io.nvmeq.hw.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The byte layout of vfio_irq_info and vfio_irq_set, field by field, as the kernel reads them. */
class VfioIrqsTest
{
    @Test
    void irqInfoIsSixteenBytesAskingForTheIndex()
    {
        final UnsafeBuffer info = VfioIrqs.info(VfioIoctls.PCI_MSIX_IRQ_INDEX);
        assertEquals(16, info.capacity());
        assertEquals(16, info.getInt(0, ByteOrder.LITTLE_ENDIAN), "argsz");
        assertEquals(0, info.getInt(4, ByteOrder.LITTLE_ENDIAN), "flags: the kernel fills them");
        assertEquals(2, info.getInt(8, ByteOrder.LITTLE_ENDIAN), "index: MSI-X");
        assertEquals(0, info.getInt(12, ByteOrder.LITTLE_ENDIAN), "count: the kernel fills it");
    }

    @Test
    void triggerCarriesOneInt32FdPerVectorAfterTheTwentyByteHeader()
    {
        final UnsafeBuffer set = VfioIrqs.trigger(VfioIoctls.PCI_MSIX_IRQ_INDEX, 1, new int[] {17, 18, 42});
        assertEquals(20 + 3 * 4, set.capacity());
        assertEquals(32, set.getInt(0, ByteOrder.LITTLE_ENDIAN), "argsz covers the fds");
        assertEquals(0x4 | 0x20, set.getInt(4, ByteOrder.LITTLE_ENDIAN), "DATA_EVENTFD | ACTION_TRIGGER");
        assertEquals(2, set.getInt(8, ByteOrder.LITTLE_ENDIAN), "index");
        assertEquals(1, set.getInt(12, ByteOrder.LITTLE_ENDIAN), "start");
        assertEquals(3, set.getInt(16, ByteOrder.LITTLE_ENDIAN), "count");
        assertEquals(17, set.getInt(20, ByteOrder.LITTLE_ENDIAN));
        assertEquals(18, set.getInt(24, ByteOrder.LITTLE_ENDIAN));
        assertEquals(42, set.getInt(28, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void disableIsAHeaderWithDataNoneAndCountZero()
    {
        final UnsafeBuffer set = VfioIrqs.disable(VfioIoctls.PCI_MSIX_IRQ_INDEX);
        assertEquals(20, set.capacity());
        assertEquals(20, set.getInt(0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x1 | 0x20, set.getInt(4, ByteOrder.LITTLE_ENDIAN), "DATA_NONE | ACTION_TRIGGER");
        assertEquals(2, set.getInt(8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, set.getInt(12, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, set.getInt(16, ByteOrder.LITTLE_ENDIAN));
    }
}
