package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.CompletionEntry;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;

/** What the device threads add beyond the conformance suites: their lifecycle and the reset race. */
class DeviceThreadsTest
{
    private static final int ENTRIES = 256;

    private static boolean deviceThreadAlive()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch(thread -> thread.getName().startsWith("nvmeq-emu-device-") && thread.isAlive());
    }

    @Test
    void commandsExecuteOnTheDeviceThreadNotTheDoorbellWriter()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20), 1))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 16);
            final RawHost.Dma data = host.allocate(4096);
            assertEquals(0, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 0, 8, data.iova, 0)).status());
            assertTrue(deviceThreadAlive(), "a device thread runs");
        }
    }

    @Test
    void closeStopsTheDeviceThreads()
    {
        final RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20), 2);
        host.enable(8);
        host.close();
        assertFalse(deviceThreadAlive(), "no device thread outlives close()");
    }

    @Test
    void aResetWhileTheDeviceExecutesStopsItsDmaBeforeReturning_3_7_2()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(8L << 20).maxQueueEntries(ENTRIES), 1))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, ENTRIES);
            final RawHost.Dma buffers = host.allocate(64 * 4096);
            // A full ring of 32 KiB reads, rung without waiting: the core is busy when CC.EN = 0 lands.
            for (int i = 0; i < ENTRIES - 1; i++)
            {
                final long iova = buffers.iova + (i % 64) * 4096L;
                host.push(queue, RawHost.io(Opcodes.NVM_READ, 1, (i * 64L) % 16000, 64, iova, 0));
            }
            host.registers.write32(Registers.sqTailDoorbell(queue.qid, 0), queue.sqTail);
            host.registers.write32(Registers.CC, 0);
            final byte[] ring = new byte[ENTRIES * CompletionEntry.SIZE];
            queue.cq.buffer.getBytes(0, ring);
            final long reads = host.controller.counters().reads();
            LockSupport.parkNanos(20_000_000);
            final byte[] later = new byte[ring.length];
            queue.cq.buffer.getBytes(0, later);
            assertArrayEquals(ring, later, "a completion was posted after the reset returned");
            assertEquals(reads, host.controller.counters().reads(), "a command executed after the reset returned");
            assertEquals(0, host.registers.read32(Registers.CSTS) & Registers.CSTS_RDY);
        }
    }

    @Test
    void anOverrunIsStillRefusedAtTheDoorbell_3_1_3_x()
    {
        try (RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20), 1))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 16);
            final SubmissionQueue sq = host.controller.submissionQueue(1);
            // An overrun is still refused at the doorbell, as inline (Invalid Doorbell Write Value).
            final long invalid = host.controller.counters().invalidDoorbellWrites();
            host.registers.write32(Registers.sqTailDoorbell(1, 0), 16);
            host.registers.write32(Registers.sqTailDoorbell(1, 0), 0);
            assertEquals(invalid + 1, host.controller.counters().invalidDoorbellWrites(), "a tail past the ring");
            host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
            assertTrue(sq.awaitFetched(10_000_000_000L));
            assertEquals(0, host.reap(queue).status());
        }
    }
}
