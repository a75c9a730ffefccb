package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.DeviceUnavailableException;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * A failure to persist is an error, at once: a file whose fsync fails is refused when it is opened,
 * and where fsync fails later, Flush and FUA writes complete with Write Fault and Do Not Retry
 * (base spec 2.0 §4.6.1.2.3), every later flush fails too, and a shutdown (CC.SHN) reports Controller
 * Fatal Status instead of a completed shutdown, without the register write throwing.
 */
class FailedFlushTest
{
    private static final Path DEV_NULL = Path.of("/dev/null");

    @Test
    void aCharacterDeviceIsRefusedAtOpen()
    {
        final DeviceUnavailableException refused =
            assertThrows(ImageFileException.class, () -> Devices.open("emu:file:/dev/null").close());
        assertTrue(refused.getMessage().contains("/dev/null is not a regular file or a block device"), refused.getMessage());
    }

    @Test
    void flushAndFuaThatCannotSyncAreWriteFaultsAndShutdownReportsFatalStatus() throws Exception
    {
        // A real file store over a file whose fsync fails (EINVAL), past the open-time check.
        final ImageLock lock = ImageLock.claim(DEV_NULL);
        final FileChannel channel = FileChannel.open(DEV_NULL, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final EmulatorConfig config = EmulatorConfig.builder().file(DEV_NULL).namespaceBytes(1 << 20).build();
        final BackingStores stores = new BackingStores(config, new BlockStore[]{ new FileStore(lock, channel, ImageGeometry.of(config), false) });
        final int notDurable = Status.withDnr(Status.WRITE_FAULT);
        try (RawHost host = new RawHost(EmulatedController.create(stores, "emu:file:/dev/null")))
        {
            host.enable(4);
            final RawHost.HostQueue queue = host.createQueuePair(1, 4);
            final RawHost.Dma data = host.allocate(4096);
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 8, data.iova, 0)).status(),
                "a write into the volatile cache completes");
            assertEquals(notDurable, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
            assertEquals(notDurable, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(0xFFFF_FFFF)).status(),
                "a failed flush stays failed: the pages it could not write may be gone");
            assertEquals(notDurable, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 8, 8, data.iova, 0)
                .andThen(e -> e.cdw(12, 7 | Opcodes.RW_FUA))).status());

            final int cc = host.registers.read32(Registers.CC);
            assertDoesNotThrow(() -> host.registers.write32(Registers.CC,
                (cc & ~Registers.CC_SHN_MASK) | (Registers.CC_SHN_NORMAL << Registers.CC_SHN_SHIFT)));
            final int csts = host.registers.read32(Registers.CSTS);
            assertNotEquals(0, csts & Registers.CSTS_CFS, "shutdown that could not flush is fatal");
            assertNotEquals(Registers.CSTS_SHST_COMPLETE, Registers.cstsShst(csts));
            assertDoesNotThrow(host.controller::close, "closing releases the image even though its data is not durable");
        }
        final ImageLock again = ImageLock.claim(DEV_NULL);
        assertNotNull(again, "the image is free again for the next opener of this JVM");
        again.close();
    }
}
