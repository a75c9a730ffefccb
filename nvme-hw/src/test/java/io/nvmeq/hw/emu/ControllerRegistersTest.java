package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;

/** Controller registers and initialisation: NVMe base spec 2.0 §3.1.3 and §3.5.1. */
class ControllerRegistersTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private final RawHost host = RawHost.create(EmulatorConfig.builder().maxQueueEntries(256).deviceThreads(deviceThreads()).build());

    @AfterEach
    void close()
    {
        host.close();
    }

    @Test
    void capAndVersionDescribeTheController_3_1_3_1()
    {
        final long cap = host.registers.read64(Registers.CAP);
        assertEquals(255, Registers.capMqes(cap), "MQES is zero-based");
        assertTrue(Registers.capCqr(cap), "CQR: queues must be physically contiguous");
        assertEquals(10_000, Registers.capTimeoutMillis(cap));
        assertEquals(0, Registers.capDstrd(cap));
        assertTrue(Registers.capNvmCommandSet(cap));
        assertEquals(12, Registers.capMpsMinShift(cap));
        assertEquals(16, Registers.capMpsMaxShift(cap));
        assertEquals(cap, (host.registers.read32(Registers.CAP) & 0xFFFF_FFFFL)
            | ((long)host.registers.read32(Registers.CAP + 4) << 32), "two 32-bit reads give CAP too");
        assertEquals("1.4.0", Registers.versionString(host.registers.read32(Registers.VS)));
        host.registers.write64(Registers.CAP, 0);
        assertEquals(cap, host.registers.read64(Registers.CAP), "CAP is read-only");
    }

    @Test
    void enableHandshakeSetsReady_3_5_1()
    {
        assertEquals(0, host.registers.read32(Registers.CSTS) & Registers.CSTS_RDY, "disabled after creation");
        final int csts = host.enable(32);
        assertEquals(Registers.CSTS_RDY, csts);
        RawHost.requireSuccess(host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).prp1(host.allocate(4096).iova).cdw(10, 1)),
            "Identify after enable");
    }

    @Test
    void enableWithWrongQueueEntrySizesIsFatal_3_1_3_5()
    {
        final RawHost.Dma ring = host.allocate(4096);
        host.registers.write32(Registers.AQA, Registers.aqa(2, 2));
        host.registers.write64(Registers.ASQ, ring.iova);
        host.registers.write64(Registers.ACQ, ring.iova);
        host.registers.write32(Registers.CC, Registers.CC_EN | (5 << 16) | (4 << 20));
        final int csts = host.registers.read32(Registers.CSTS);
        assertEquals(Registers.CSTS_CFS, csts & (Registers.CSTS_CFS | Registers.CSTS_RDY));
    }

    @Test
    void enableWithPageSizeOutsideCapIsFatal_3_1_3_5()
    {
        host.registers.write32(Registers.AQA, Registers.aqa(2, 2));
        host.registers.write32(Registers.CC, Registers.ccEnable(17));
        assertEquals(Registers.CSTS_CFS, host.registers.read32(Registers.CSTS) & (Registers.CSTS_CFS | Registers.CSTS_RDY));
    }

    @Test
    void disableDropsIoQueues_3_7_2()
    {
        host.enable(8);
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        assertEquals(Registers.CSTS_RDY, host.registers.read32(Registers.CSTS));
        assertEquals(0, host.disable() & Registers.CSTS_RDY);
        assertNull(host.controller.submissionQueue(1));
        assertNull(host.controller.completionQueue(1));

        // After a new enable the old queue is gone: its doorbell is ignored, and qid 1 can be created afresh.
        host.enable(8);
        final long ignoredBefore = host.controller.counters().invalidDoorbellWrites();
        host.push(queue, RawHost.io(Opcodes.NVM_FLUSH, 1, 0, 1, 0, 0));
        host.ringSq(queue);
        assertEquals(ignoredBefore + 1, host.controller.counters().invalidDoorbellWrites());
        assertFalse(host.completionVisible(queue));
        host.createQueuePair(1, 8);
    }

    @Test
    void shutdownReportsComplete_3_6_1()
    {
        host.enable(8);
        host.registers.write32(Registers.CC, Registers.ccEnable(12) | (Registers.CC_SHN_NORMAL << Registers.CC_SHN_SHIFT));
        final int csts = host.waitFor(Registers.CSTS_SHST_MASK, Registers.CSTS_SHST_COMPLETE << Registers.CSTS_SHST_SHIFT);
        assertEquals(Registers.CSTS_SHST_COMPLETE, Registers.cstsShst(csts));
    }

    @Test
    void submissionEntryAtUnmappedIovaIsControllerFatal_10_5()
    {
        host.enable(8);
        host.iommu.unmap(host.admin.sq.iova, host.admin.sq.length());
        host.push(host.admin, e -> e.opcode(Opcodes.ADMIN_IDENTIFY).cdw(10, 1));
        host.ringSq(host.admin);
        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(1, host.iommu.faultCount());
        assertEquals(host.admin.sq.iova, host.iommu.lastFaultIova());
        assertFalse(host.completionVisible(host.admin));
    }
}
