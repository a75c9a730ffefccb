package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Registers;
import io.nvmeq.hw.spec.Status;

/**
 * Every fault kind of the injector, armed from the test or from a device URI, and the effect a host
 * sees at the device boundary: the status of a completion (§4.6.1), a completion that never comes or
 * comes late, CSTS.CFS (§3.1.3.6, §10.5), registers of a removed device reading all-ones, an IOMMU fault.
 */
class FaultInjectionTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private RawHost host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).maxIoQueuePairs(2)
        .maxQueueEntries(64).deviceThreads(deviceThreads()).build());
    private FaultInjector faults = host.controller.faults();

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.HostQueue bringUp()
    {
        host.enable(8);
        return host.createQueuePair(1, 16);
    }

    private int write(final RawHost.HostQueue queue, final RawHost.Dma data, final long lba)
    {
        return host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, lba, 1, data.iova, 0)).status();
    }

    private int readFirstInt(final RawHost.HostQueue queue, final long lba)
    {
        final RawHost.Dma data = host.allocate(4096);
        assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, lba, 1, data.iova, 0)).status());
        return data.buffer.getInt(0);
    }

    private RawHost.Dma pattern(final int value)
    {
        final RawHost.Dma data = host.allocate(4096);
        data.buffer.setMemory(0, 4096, (byte)value);
        return data;
    }

    @Test
    void failNextCompletesWithTheStatusAndDoesNotExecute_4_6_1_2()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.failNext(Opcodes.NVM_WRITE, Status.withDnr(Status.WRITE_FAULT), 1);
        assertEquals(0, readFirstInt(queue, 0), "reads do not match the opcode filter");
        final int status = write(queue, pattern(0x11), 0);
        assertEquals(Status.withDnr(Status.WRITE_FAULT), status);
        assertTrue(Status.doNotRetry(status));
        assertEquals(0, readFirstInt(queue, 0), "the failed write changed nothing");
        assertEquals(Status.SUCCESS, write(queue, pattern(0x11), 0), "only one was armed");
        assertEquals(0x11111111, readFirstInt(queue, 0));
    }

    @Test
    void failNextWithoutDnrIsRetryable_4_6_1()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.failNext(Status.INTERNAL_ERROR);
        final int status = host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status();
        assertEquals(Status.INTERNAL_ERROR, status);
        assertFalse(Status.doNotRetry(status));
        assertEquals(1, faults.injectedCount());
    }

    @Test
    void randomErrorsHitSomeCommandsReproducibly_4_6_1()
    {
        final RawHost.HostQueue queue = bringUp();
        final int[] failedPerRun = new int[2];
        for (int run = 0; run < 2; run++)
        {
            faults.failRandomly(0.25, Status.INTERNAL_ERROR, 42);
            for (int i = 0; i < 400; i++)
            {
                final int status = host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status();
                if (status != Status.SUCCESS)
                {
                    assertEquals(Status.INTERNAL_ERROR, status);
                    failedPerRun[run]++;
                }
            }
        }
        assertTrue(failedPerRun[0] > 40 && failedPerRun[0] < 160, "about a quarter failed: " + failedPerRun[0]);
        assertEquals(failedPerRun[0], failedPerRun[1], "the same seed fails the same commands");
        faults.failRandomly(0, Status.INTERNAL_ERROR);
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
    }

    @Test
    void droppedCompletionNeverArrivesButTheCommandRan_DESIGN_2()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.dropNextCompletions(1);
        host.submit(queue, RawHost.io(Opcodes.NVM_WRITE, 1, 5, 1, pattern(0x22).iova, 0));
        for (int i = 0; i < 1000; i++)
        {
            assertNull(host.tryReap(queue), "no completion for the dropped command");
        }
        assertEquals(0x22222222, readFirstInt(queue, 5), "the write executed");
        assertEquals(1, host.controller.completionQueue(1).pendingCount(), "held until an abort or a reset");
    }

    @Test
    void lateCompletionArrivesAfterTheDelay_DESIGN_2()
    {
        final RawHost.HostQueue queue = bringUp();
        // Longer with a device thread, which posts by itself: the check below must come before the delay ends.
        faults.delayNextCompletions(1, deviceThreads() == 0 ? 5_000_000 : 200_000_000);
        final int cid = host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertFalse(host.completionVisible(queue), "not there when the doorbell write returns");
        final RawHost.Completion late = host.reap(queue);
        assertNotNull(late, "posted once the delay passed");
        assertEquals(cid, late.cid());
        assertEquals(Status.SUCCESS, late.status());
    }

    @Test
    void droppedAdminCompletionCanBeAborted_5_1()
    {
        host.enable(8);
        faults.dropNextAdminCompletions(1);
        final int cid = host.submit(host.admin, e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, Opcodes.FEATURE_NUMBER_OF_QUEUES));
        assertNull(host.tryReap(host.admin));
        final int abortCid = host.submit(host.admin, e -> e.opcode(Opcodes.ADMIN_ABORT).cdw(10, cid << 16));
        final RawHost.Completion aborted = host.reap(host.admin);
        assertEquals(cid, aborted.cid());
        assertEquals(Status.ABORT_REQUESTED, aborted.status());
        assertEquals(abortCid, host.reap(host.admin).cid());
    }

    @Test
    void fatalSetsCfsAndStopsCommandsUntilReset_10_5()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.fatal();
        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        final long flushes = host.controller.counters().flushes();
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertNull(host.tryReap(queue));
        assertEquals(flushes, host.controller.counters().flushes(), "nothing executes on a failed controller");
        host.disable();
        assertEquals(0, host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS, "a reset clears CFS");
        assertTrue((host.enable(8) & Registers.CSTS_RDY) != 0);
    }

    @Test
    void fatalAfterCountedCommands_10_5()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.fatalAfter(2);
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertNull(host.tryReap(queue));
        assertTrue((host.registers.read32(Registers.CSTS) & Registers.CSTS_CFS) != 0);
        assertEquals(2, host.controller.counters().flushes());
    }

    @Test
    void surpriseRemovalReadsAllOnesAndIgnoresDoorbells_DESIGN_2()
    {
        final RawHost.HostQueue queue = bringUp();
        final long flushes = host.controller.counters().flushes();
        faults.surpriseRemoval();
        assertEquals(0xFFFF_FFFF, host.registers.read32(Registers.CSTS));
        assertEquals(0xFFFF_FFFF, host.registers.read32(Registers.VS));
        assertEquals(-1L, host.registers.read64(Registers.CAP));
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertNull(host.tryReap(queue));
        assertEquals(flushes, host.controller.counters().flushes(), "the doorbell went nowhere");
        host.registers.write32(Registers.CC, 0);
        assertEquals(0xFFFF_FFFF, host.registers.read32(Registers.CC), "writes change nothing either");
        assertTrue(host.controller.isRemoved());
    }

    @Test
    void surpriseRemovalWithHeldCompletionsPostsNothing_DESIGN_2()
    {
        host.close();
        // A device thread posts on time by itself: give it a service time the removal surely comes before.
        final long service = deviceThreads() == 0 ? 1_000_000 : 100_000_000;
        host = RawHost.create(EmulatorConfig.builder().namespaceBytes(1L << 20).flushLatency(ServiceTime.fixed(service)).deviceThreads(deviceThreads()).build());
        faults = host.controller.faults();
        final RawHost.HostQueue queue = bringUp();
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        faults.surpriseRemoval();
        final long end = System.nanoTime() + service + 2_000_000;
        while (System.nanoTime() < end)
        {
            host.controller.poll(1);
        }
        assertFalse(host.completionVisible(queue), "a removed device writes no completion");
    }

    @Test
    void iommuFaultFailsTheTransferWithDataTransferError_4_6_1_2_1()
    {
        final RawHost.HostQueue queue = bringUp();
        final long faultsBefore = host.iommu.faultCount();
        final RawHost.Dma data = pattern(0x33);
        faults.iommuFaultNext(1);
        assertEquals(Status.withDnr(Status.DATA_TRANSFER_ERROR), write(queue, data, 7));
        assertEquals(faultsBefore + 1, host.iommu.faultCount());
        assertEquals(data.iova, host.iommu.lastFaultIova());
        assertEquals(0, readFirstInt(queue, 7), "nothing was written");
        assertEquals(Status.SUCCESS, write(queue, data, 7));
    }

    @Test
    void adminFailureDuringBringUp_3_5_1()
    {
        faults.failAdmin(Opcodes.ADMIN_IDENTIFY, Status.INTERNAL_ERROR);
        host.enable(8);
        final RawHost.Dma data = host.allocate(4096);
        assertEquals(Status.INTERNAL_ERROR,
            host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).prp1(data.iova).cdw(10, Opcodes.CNS_CONTROLLER)).status());
        assertEquals(0, data.buffer.getShort(0), "no Identify data was transferred");
        assertEquals(Status.SUCCESS,
            host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).prp1(data.iova).cdw(10, Opcodes.CNS_CONTROLLER)).status());
        faults.failAdmin(Opcodes.ADMIN_CREATE_IO_CQ, Status.withDnr(Status.INTERNAL_ERROR), 2);
        final RawHost.Dma ring = host.allocate(4096);
        assertEquals(Status.withDnr(Status.INTERNAL_ERROR), host.createCompletionQueue(1, ring, 4).status());
        assertEquals(Status.withDnr(Status.INTERNAL_ERROR), host.createCompletionQueue(1, ring, 4).status());
        assertEquals(Status.SUCCESS, host.createCompletionQueue(1, ring, 4).status());
    }

    @Test
    void clearDisarmsEverything()
    {
        final RawHost.HostQueue queue = bringUp();
        faults.failNext(Opcodes.NVM_FLUSH, Status.INTERNAL_ERROR, 5);
        faults.dropNextCompletions(5);
        faults.iommuFaultNext(5);
        faults.clear();
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
        assertEquals(Status.SUCCESS, write(queue, pattern(1), 0));
    }

    @Test
    void badArgumentsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> faults.failNext(Status.SUCCESS));
        assertThrows(IllegalArgumentException.class, () -> faults.failRandomly(1.5, Status.INTERNAL_ERROR));
        assertThrows(IllegalArgumentException.class, () -> faults.delayNextCompletions(1, 0));
        assertThrows(IllegalArgumentException.class, () -> faults.dropNextCompletions(-1));
    }

    @Test
    void faultsArmedFromTheDeviceUri_DESIGN_2()
    {
        host.close();
        final EmulatorConfig config = ((EmulatedUri)DeviceUri.parse(
            "emu:memory?size=1m&faults=admin:05,fail-dnr:1,drop:1,delay:1:2ms,iommu:1,removal:4")).config();
        host = RawHost.create(config);
        host.enable(8);
        final RawHost.Dma ring = host.allocate(4096);
        assertEquals(Status.INTERNAL_ERROR, host.createCompletionQueue(1, ring, 16).status(), "admin:05");
        final RawHost.HostQueue queue = host.createQueuePair(1, 16);
        final RawHost.Dma data = pattern(0x44);
        assertEquals(Status.withDnr(Status.INTERNAL_ERROR), write(queue, data, 0), "fail-dnr:1");
        // The next command is both dropped (drop:1) and the next after it delayed (delay:1:2ms).
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertNull(host.tryReap(queue), "drop:1");
        final int delayed = host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertEquals(delayed, host.reap(queue).cid(), "delay:1:2ms arrives late");
        assertEquals(Status.withDnr(Status.DATA_TRANSFER_ERROR), write(queue, data, 0), "iommu:1");
        host.submit(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1));
        assertEquals(0xFFFF_FFFF, host.registers.read32(Registers.CSTS), "removal:4 on the fifth I/O command");
    }
}
