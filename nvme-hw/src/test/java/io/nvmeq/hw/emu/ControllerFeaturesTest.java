package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.device.DeviceUri;
import io.nvmeq.hw.device.IommuException;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/** Arbitration feature, several namespaces, broadcast Flush and the configurable IOMMU mapping limit. */
class ControllerFeaturesTest
{
    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaces(3).namespaceBytes(1L << 20).blockSize(512).maxIoQueuePairs(2).maxQueueEntries(64).build());

    @BeforeEach
    void enable()
    {
        host.enable(8);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion getArbitration(final int select)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, (select << 8) | Opcodes.FEATURE_ARBITRATION));
    }

    @Test
    void arbitrationFeatureIsKept_5_27_1_1()
    {
        assertEquals(0, getArbitration(0).dw0(), "default: burst 0");
        assertEquals(Status.SUCCESS, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, Opcodes.FEATURE_ARBITRATION).cdw(11, 0x0302_0103)).status());
        assertEquals(0x0302_0103, getArbitration(0).dw0(), "current");
        assertEquals(0, getArbitration(1).dw0(), "default");
        assertEquals(1 << 2, getArbitration(3).dw0(), "capabilities: changeable");
        host.disable();
        host.enable(8);
        assertEquals(0, getArbitration(0).dw0(), "a reset restores the default");
    }

    @Test
    void namespacesHoldSeparateData_nvm_3_2_4_and_3_2_6()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        final RawHost.Dma data = host.allocate(4096);
        for (int nsid = 1; nsid <= 3; nsid++)
        {
            data.buffer.setMemory(0, 512, (byte)(0x10 * nsid));
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, nsid, 7, 1, data.iova, 0)).status());
        }
        for (int nsid = 1; nsid <= 3; nsid++)
        {
            assertEquals(Status.SUCCESS, host.execute(queue, RawHost.io(Opcodes.NVM_READ, nsid, 7, 1, data.iova, 0)).status());
            assertEquals((byte)(0x10 * nsid), data.buffer.getByte(0), "namespace " + nsid);
            assertEquals((byte)(0x10 * nsid), data.buffer.getByte(511));
        }
        assertEquals(Status.withDnr(Status.INVALID_NAMESPACE),
            host.execute(queue, RawHost.io(Opcodes.NVM_READ, 4, 0, 1, data.iova, 0)).status());
    }

    @Test
    void flushTakesTheBroadcastNamespace_nvm_3_2_2()
    {
        final RawHost.HostQueue queue = host.createQueuePair(1, 8);
        assertEquals(Status.SUCCESS, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(0xFFFF_FFFF)).status());
        assertEquals(Status.withDnr(Status.INVALID_NAMESPACE),
            host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(0)).status());
    }

    @Test
    void mappingLimitFromTheUriAnswersNoSpace_DESIGN_2()
    {
        final EmulatorConfig config = ((EmulatedUri)DeviceUri.parse("emu:memory?size=1m&mappings=3")).config();
        try (RawHost limited = RawHost.create(config))
        {
            limited.allocate(4096);
            limited.allocate(4096);
            limited.allocate(4096);
            final IommuException refused = assertThrows(IommuException.class, () -> limited.allocate(4096));
            assertEquals(IommuException.Reason.NO_SPACE, refused.reason());
            assertEquals(3, limited.iommu.mappingCount(), "the refused map changed nothing");
        }
    }
}
