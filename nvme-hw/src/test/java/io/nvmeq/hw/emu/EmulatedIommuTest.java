package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.IommuException;

/** The emulated IOMMU behaves as VFIO type1 does for a driver (VFIO_IOMMU_MAP_DMA / UNMAP_DMA errno). */
class EmulatedIommuTest
{
    private static final long HOST = 0x7f00_0000_0000L;
    private final EmulatedIommu iommu = new EmulatedIommu(1L << 30, 4);

    private static IommuException.Reason reasonOf(final Runnable call)
    {
        return assertThrows(IommuException.class, call::run).reason();
    }

    @Test
    void describesItself()
    {
        assertEquals(4096, iommu.pageSize());
        assertEquals(4, iommu.mappingLimit());
        assertEquals(0, iommu.usableRanges().get(0).start());
        assertEquals(1L << 30, iommu.usableRanges().get(0).end());
    }

    @Test
    void refusesUnalignedAndOutOfRangeRequests()
    {
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST + 1, 4096, 0)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST, 4095, 0)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST, 4096, 100)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST, 0, 0)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST, 8192, (1L << 30) - 4096)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.map(HOST, 4096, -4096)));
        assertEquals(IommuException.Reason.INVALID, reasonOf(() -> iommu.unmap(1, 4096)));
        assertEquals(0, iommu.mappingCount());
    }

    @Test
    void refusesOverlapsAndMoreThanTheLimit()
    {
        iommu.map(HOST, 8192, 0x10000);
        assertEquals(IommuException.Reason.EXISTS, reasonOf(() -> iommu.map(HOST, 4096, 0x11000)));
        assertEquals(IommuException.Reason.EXISTS, reasonOf(() -> iommu.map(HOST, 8192, 0xF000)));
        iommu.map(HOST, 4096, 0xF000);
        iommu.map(HOST, 4096, 0x12000);
        iommu.map(HOST, 4096, 0x20000);
        assertEquals(IommuException.Reason.NO_SPACE, reasonOf(() -> iommu.map(HOST, 4096, 0x30000)));
        assertEquals(4, iommu.mappingCount());
    }

    @Test
    void unmapRemovesWholeMappingsOnly()
    {
        iommu.map(HOST, 8192, 0x10000);
        iommu.map(HOST + 8192, 4096, 0x12000);
        iommu.map(HOST + 16384, 4096, 0x40000);
        assertEquals(IommuException.Reason.NOT_MAPPED, reasonOf(() -> iommu.unmap(0x11000, 4096)));
        assertEquals(IommuException.Reason.NOT_MAPPED, reasonOf(() -> iommu.unmap(0x10000, 4096)));
        assertEquals(3, iommu.mappingCount());
        assertEquals(0, iommu.unmap(0x50000, 0x10000), "nothing there");
        assertEquals(12288, iommu.unmap(0, 0x20000), "both mappings inside the range");
        assertEquals(1, iommu.mappingCount());
        assertEquals(EmulatedIommu.FAULT, iommu.translate(0x10000, 8), "unmapped");
        assertEquals(HOST + 16384 + 8, iommu.translate(0x40008, 8));
    }

    @Test
    void translationRecordsFaults()
    {
        iommu.map(HOST, 4096, 0x10000);
        iommu.map(HOST + 65536, 4096, 0x11000);
        assertEquals(HOST + 4088, iommu.translate(0x10FF8, 8));
        assertEquals(0, iommu.faultCount());
        assertEquals(EmulatedIommu.FAULT, iommu.translate(0x10FFC, 8), "crosses into another mapping");
        assertTrue(iommu.check(0x10000, 8192), "adjacent mappings cover the range");
        assertFalse(iommu.check(0x10000, 12288));
        assertEquals(0x12000, iommu.lastFaultIova());
        assertEquals(2, iommu.faultCount());
    }

    @Test
    void translationIsConsistentWhileOtherMappingsChange() throws InterruptedException
    {
        final EmulatedIommu shared = new EmulatedIommu(1L << 30, 65535);
        shared.map(HOST, 4096, 0x8000_0000L >>> 4);
        final long stableIova = 0x8000_0000L >>> 4;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong wrong = new AtomicLong();
        final Thread reader = new Thread(() ->
        {
            while (!stop.get())
            {
                if (shared.translate(stableIova + 64, 64) != HOST + 64)
                {
                    wrong.incrementAndGet();
                }
            }
        });
        reader.start();
        try
        {
            for (int round = 0; round < 200; round++)
            {
                for (int i = 0; i < 50; i++)
                {
                    shared.map(HOST + 4096L * i, 4096, 0x100000L + 4096L * i);
                }
                assertEquals(50L * 4096, shared.unmap(0x100000L, 50L * 4096));
            }
        }
        finally
        {
            stop.set(true);
            reader.join(10_000);
        }
        assertFalse(reader.isAlive());
        assertEquals(0, wrong.get());
        assertEquals(0, shared.faultCount());
    }
}
