package io.nvmeq.hw.emu;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * Get Log Page (NVMe base spec 2.0 §5.16): Error Information (01h), SMART / Health Information (02h)
 * and Firmware Slot Information (03h). CDW10 LID (7:0), RAE (15), NUMDL (31:16); CDW11 NUMDU (15:0);
 * CDW12/13 the byte offset (Identify LPA bit 2: extended data supported). The page is built in
 * controller memory and transferred like any data, so PRP and MDTS rules apply; bytes requested past
 * the end of a page read as zeroes.
 */
final class LogPages
{
    static final int SMART_SIZE = 512;
    static final int FIRMWARE_SLOT_SIZE = 512;
    /** Composite temperature reported in SMART: 313 K (40 °C), below any threshold. */
    static final int TEMPERATURE_KELVIN = 313;
    private static final int NSID_BROADCAST = 0xFFFF_FFFF;
    private static final int RAE = 1 << 15;

    private final EmulatedController controller;
    private final long createdNanos = System.nanoTime();

    LogPages(final EmulatedController controller)
    {
        this.controller = controller;
    }

    int execute(final CommandContext context)
    {
        final SubmissionEntry entry = context.entry;
        final int cdw10 = entry.cdw(10);
        final int logPage = cdw10 & 0xFF;
        final long dwords = (((entry.cdw(11) & 0xFFFFL) << 16) | (cdw10 >>> 16)) + 1;
        final long length = dwords * 4;
        final long offset = (entry.cdw(12) & 0xFFFF_FFFFL) | ((long)entry.cdw(13) << 32);
        final UnsafeBuffer data = context.scratch;
        final int size;
        switch (logPage)
        {
            case Opcodes.LOG_ERROR_INFORMATION:
                size = ErrorLog.SIZE;
                controller.errorLog().fill(data, 0);
                break;
            case Opcodes.LOG_SMART_HEALTH:
            {
                // The controller keeps SMART data for the whole controller only (Identify LPA bit 0 clear).
                final int nsid = entry.namespaceId();
                if (nsid != 0 && nsid != NSID_BROADCAST)
                {
                    return Status.withDnr(Status.INVALID_FIELD);
                }
                size = SMART_SIZE;
                fillSmart(data);
                break;
            }
            case Opcodes.LOG_FIRMWARE_SLOT:
                size = FIRMWARE_SLOT_SIZE;
                fillFirmwareSlots(data);
                break;
            default:
                return Status.withDnr(Status.INVALID_LOG_PAGE);
        }
        if ((offset & 0x3) != 0 || offset >= size)
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        if (length > controller.maxTransferBytes())
        {
            return Status.withDnr(Status.INVALID_FIELD);
        }
        final int status = context.prps.resolve(entry.prp1(), entry.prp2(), length);
        if (status != Status.SUCCESS)
        {
            return status;
        }
        if (!context.prps.toHostPadded(data.addressOffset() + offset, size - offset))
        {
            return Status.withDnr(Status.DATA_TRANSFER_ERROR);
        }
        if (logPage == Opcodes.LOG_ERROR_INFORMATION && (cdw10 & RAE) == 0)
        {
            controller.asyncEvents().unmaskErrors();
        }
        return Status.SUCCESS;
    }

    /** SMART / Health Information (§5.16.1.3); 128-bit counters are written as their low 64 bits. */
    private void fillSmart(final UnsafeBuffer data)
    {
        final EmulatorCounters counters = controller.counters();
        data.setMemory(0, SMART_SIZE, (byte)0);
        data.putByte(0, (byte)0);                                // Critical Warning: none
        data.putShort(1, (short)TEMPERATURE_KELVIN);             // Composite Temperature
        data.putByte(3, (byte)100);                              // Available Spare, percent
        data.putByte(4, (byte)10);                               // Available Spare Threshold
        data.putByte(5, (byte)0);                                // Percentage Used
        data.putLong(32, counters.dataUnitsRead());
        data.putLong(48, counters.dataUnitsWritten());
        data.putLong(64, counters.reads());                      // Host Read Commands
        data.putLong(80, counters.writes());                     // Host Write Commands
        data.putLong(96, controller.busyNanos() / 60_000_000_000L); // Controller Busy Time, minutes
        data.putLong(112, 1);                                    // Power Cycles
        data.putLong(128, (System.nanoTime() - createdNanos) / 3_600_000_000_000L); // Power On Hours
        data.putLong(144, 0);                                    // Unsafe Shutdowns
        data.putLong(160, 0);                                    // Media and Data Integrity Errors
        data.putLong(176, controller.errorLog().total());        // Number of Error Information Log Entries
    }

    /** Firmware Slot Information (§5.16.1.4): slot 1, read-only, active, holding the configured revision. */
    private void fillFirmwareSlots(final UnsafeBuffer data)
    {
        data.setMemory(0, FIRMWARE_SLOT_SIZE, (byte)0);
        data.putByte(0, (byte)1);                                // AFI: slot 1 active, no pending activation
        final byte[] revision = controller.config().firmware().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 8; i++)
        {
            data.putByte(8 + i, i < revision.length ? revision[i] : (byte)' ');
        }
    }
}
