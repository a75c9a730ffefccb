package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/** Get Log Page: NVMe base spec 2.0 §5.16 (Error Information, SMART / Health, Firmware Slot). */
class LogPagesTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaceBytes(8L << 20).blockSize(512).maxIoQueuePairs(2).maxQueueEntries(64).firmware("fw1").deviceThreads(deviceThreads()).build());
    private RawHost.HostQueue queue;

    @BeforeEach
    void enable()
    {
        host.enable(16);
        queue = host.createQueuePair(1, 16);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion getLogPage(final int logPage, final int nsid, final int bytes, final long offset,
        final boolean retainEvent, final RawHost.Dma data)
    {
        final int dwords = bytes / 4 - 1;
        return host.admin(e -> e.opcode(Opcodes.ADMIN_GET_LOG_PAGE).namespaceId(nsid).prp1(data.iova)
            .prp2(data.iova + RawHost.PAGE)
            .cdw(10, ((dwords & 0xFFFF) << 16) | (retainEvent ? 1 << 15 : 0) | logPage).cdw(11, dwords >>> 16)
            .cdw(12, (int)offset).cdw(13, (int)(offset >>> 32)));
    }

    private static void assertStatus(final int expected, final RawHost.Completion completion)
    {
        assertEquals(Status.describe(expected), Status.describe(completion.status()));
        assertEquals(expected, completion.status());
    }

    @Test
    void errorLogListsFailedCommandsNewestFirst_5_16_1_2()
    {
        final RawHost.Dma data = host.allocate(4096);
        final RawHost.Completion badNamespace = host.execute(queue,
            RawHost.io(Opcodes.NVM_READ, 9, 0, 1, data.iova, 0));
        final RawHost.Completion outOfRange = host.execute(queue,
            RawHost.io(Opcodes.NVM_WRITE, 1, 1L << 40, 1, data.iova, 0));
        assertStatus(Status.withDnr(Status.LBA_OUT_OF_RANGE), outOfRange);

        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_ERROR_INFORMATION, 0, ErrorLog.SIZE, 0, true, log));
        assertEquals(2, log.buffer.getLong(0), "newest entry first, error count 2");
        assertEquals(1, log.buffer.getShort(8), "SQID");
        assertEquals(outOfRange.cid(), log.buffer.getShort(10) & 0xFFFF, "CID");
        assertEquals(Status.withDnr(Status.LBA_OUT_OF_RANGE), (log.buffer.getShort(12) & 0xFFFF) >>> 1, "status field");
        assertEquals(1L << 40, log.buffer.getLong(16), "LBA");
        assertEquals(1, log.buffer.getInt(24), "NSID");
        assertEquals(1, log.buffer.getLong(64), "older entry");
        assertEquals(badNamespace.cid(), log.buffer.getShort(64 + 10) & 0xFFFF);
        assertEquals(Status.withDnr(Status.INVALID_NAMESPACE), (log.buffer.getShort(64 + 12) & 0xFFFF) >>> 1);
        assertEquals(0, log.buffer.getLong(128), "unused entries are zero");
    }

    @Test
    void smartLogCountsDataUnitsAndHostCommands_5_16_1_3()
    {
        final RawHost.Dma data = host.allocate(64 * 1024);
        final RawHost.Dma list = host.allocate(4096);
        for (int i = 1; i < 16; i++)
        {
            list.buffer.putLong((i - 1) * 8, data.iova + (long)i * RawHost.PAGE);
        }
        // 8 writes of 64 KiB = 1024 units of 512 bytes = 1.024 thousand: Data Units Written rounds up to 2.
        for (int i = 0; i < 8; i++)
        {
            assertStatus(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, i * 128L, 128, data.iova, list.iova)));
        }
        assertStatus(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, 0, 8, data.iova, 0)));

        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_SMART_HEALTH, 0xFFFF_FFFF, LogPages.SMART_SIZE, 0, true, log));
        assertEquals(0, log.buffer.getByte(0), "critical warning");
        assertEquals(LogPages.TEMPERATURE_KELVIN, log.buffer.getShort(1));
        assertEquals(100, log.buffer.getByte(3), "available spare");
        assertEquals(1, log.buffer.getLong(32), "data units read: 8 units rounded up to one thousand");
        assertEquals(0, log.buffer.getLong(40), "upper half of the 128-bit counter");
        assertEquals(2, log.buffer.getLong(48), "data units written");
        assertEquals(1, log.buffer.getLong(64), "host read commands");
        assertEquals(8, log.buffer.getLong(80), "host write commands");
        assertEquals(1, log.buffer.getLong(112), "power cycles");
    }

    @Test
    void smartLogIsPerControllerOnly_5_16_1_3()
    {
        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.withDnr(Status.INVALID_FIELD), getLogPage(Opcodes.LOG_SMART_HEALTH, 1, 512, 0, true, log));
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_SMART_HEALTH, 0, 512, 0, true, log));
    }

    @Test
    void firmwareSlotLog_5_16_1_4()
    {
        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_FIRMWARE_SLOT, 0, LogPages.FIRMWARE_SLOT_SIZE, 0, true, log));
        assertEquals(1, log.buffer.getByte(0), "AFI: slot 1 active");
        assertEquals("fw1     ", log.buffer.getStringWithoutLengthAscii(8, 8));
        assertEquals(0, log.buffer.getLong(16), "slot 2 does not exist");
    }

    @Test
    void unsupportedLogPageIsInvalidLogPage_5_16()
    {
        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.withDnr(Status.INVALID_LOG_PAGE), getLogPage(0x7F, 0, 512, 0, true, log));
    }

    @Test
    void offsetSelectsPartOfThePageAndBytesPastTheEndReadZero_5_16()
    {
        host.execute(queue, RawHost.io(Opcodes.NVM_READ, 9, 0, 1, 0, 0));
        host.execute(queue, RawHost.io(Opcodes.NVM_READ, 8, 0, 1, 0, 0));
        final RawHost.Dma log = host.allocate(2 * 4096);
        log.buffer.setMemory(0, 8192, (byte)0x5A);
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_ERROR_INFORMATION, 0, 64, 64, true, log));
        assertEquals(1, log.buffer.getLong(0), "offset 64 starts at the second entry");
        assertEquals(0x5A5A5A5A5A5A5A5AL, log.buffer.getLong(64), "nothing past the requested length");

        log.buffer.setMemory(0, 8192, (byte)0x5A);
        assertStatus(Status.SUCCESS, getLogPage(Opcodes.LOG_SMART_HEALTH, 0, 1024, 0, true, log));
        for (int i = LogPages.SMART_SIZE; i < 1024; i += 8)
        {
            assertEquals(0, log.buffer.getLong(i), "byte " + i + " past the end of the SMART page");
        }
    }

    @Test
    void misalignedOrOutOfRangeOffsetIsInvalidField_5_16()
    {
        final RawHost.Dma log = host.allocate(2 * 4096);
        assertStatus(Status.withDnr(Status.INVALID_FIELD), getLogPage(Opcodes.LOG_SMART_HEALTH, 0, 64, 2, true, log));
        assertStatus(Status.withDnr(Status.INVALID_FIELD), getLogPage(Opcodes.LOG_SMART_HEALTH, 0, 64, 512, true, log));
        assertStatus(Status.withDnr(Status.INVALID_FIELD), getLogPage(Opcodes.LOG_FIRMWARE_SLOT, 0, 4, 1L << 32, true, log));
    }

    @Test
    void logPageIntoUnmappedBufferIsDataTransferError_5_16()
    {
        final RawHost.Dma unmapped = host.allocateUnmapped(4096);
        assertStatus(Status.withDnr(Status.DATA_TRANSFER_ERROR),
            getLogPage(Opcodes.LOG_SMART_HEALTH, 0, 512, 0, true, new RawHost.Dma(unmapped.buffer, unmapped.address, unmapped.iova)));
    }

    @Test
    void identifyReportsLogPageAttributesAndErrorLogSize_5_17_2_1()
    {
        final RawHost.Dma data = host.allocate(4096);
        assertStatus(Status.SUCCESS, host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).prp1(data.iova).cdw(10, Opcodes.CNS_CONTROLLER)));
        assertEquals(1 << 2, data.buffer.getByte(IdentifyController.LPA), "LPA: extended data, SMART per controller");
        assertEquals(ErrorLog.ENTRIES - 1, data.buffer.getByte(IdentifyController.ELPE), "ELPE is zero-based");
    }
}
