package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.IdentifyController;
import io.nvmeq.hw.spec.IdentifyNamespace;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/** Admin command set: NVMe base spec 2.0 §5, answers and status codes as a host sees them. */
class AdminCommandsTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaces(3).namespaceBytes(8L << 20).blockSize(4096).maxIoQueuePairs(4).maxQueueEntries(64).mdts(5)
        .serial("SN-42").model("emu model").firmware("fw1").deviceThreads(deviceThreads()).build());

    @BeforeEach
    void enable()
    {
        host.enable(16);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion identify(final int cns, final int nsid, final RawHost.Dma data)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).namespaceId(nsid).prp1(data.iova).cdw(10, cns));
    }

    private static void assertStatus(final int expected, final RawHost.Completion completion)
    {
        assertEquals(Status.describe(expected), Status.describe(completion.status()));
        assertEquals(expected, Status.codeOf(completion.status()));
    }

    @Test
    void identifyControllerFields_5_17_2_1()
    {
        final RawHost.Dma data = host.allocate(4096);
        final RawHost.Completion completion = identify(Opcodes.CNS_CONTROLLER, 0, data);
        assertEquals(0, completion.status());
        assertEquals(0, completion.sqId());
        final IdentifyController id = new IdentifyController().wrap(data.buffer, 0);
        assertEquals(EmulatedController.VENDOR_ID, id.vendorId());
        assertEquals("SN-42", id.serialNumber());
        assertEquals("emu model", id.modelNumber());
        assertEquals("fw1", id.firmwareRevision());
        assertEquals(5, id.mdts());
        assertEquals(EmulatedController.CONTROLLER_ID, id.controllerId());
        assertEquals("1.4.0", io.nvmeq.hw.spec.Registers.versionString(id.version()));
        assertEquals(0x66, id.sqes());
        assertEquals(0x44, id.cqes());
        assertEquals(3, id.namespaceCount());
        assertEquals(IdentifyController.ONCS_WRITE_ZEROES | IdentifyController.ONCS_DATASET_MANAGEMENT, id.oncs());
        assertTrue(id.volatileWriteCache());
        assertEquals(AdminCommands.ABORT_LIMIT, id.abortCommandLimit());
        assertEquals(AdminCommands.ASYNC_EVENT_LIMIT, id.asyncEventRequestLimit());
    }

    @Test
    void identifyNamespaceFields_nvm_4_1_5_1()
    {
        final RawHost.Dma data = host.allocate(4096);
        assertEquals(0, identify(Opcodes.CNS_NAMESPACE, 2, data).status());
        final IdentifyNamespace ns = new IdentifyNamespace().wrap(data.buffer, 0);
        assertEquals(2048, ns.size());
        assertEquals(2048, ns.capacity());
        assertEquals(2048, ns.utilization());
        assertEquals(1, ns.lbaFormatCount());
        assertEquals(0, ns.formattedLbaIndex());
        assertEquals(4096, ns.blockSize());
        assertEquals(0, ns.metadataSize(0));
        assertEquals(IdentifyNamespace.DLFEAT_READS_ZEROES, ns.deallocateFeatures() & 0x7);
    }

    @Test
    void identifyNamespaceWithPrp1OffsetSpansTwoPages_4_1_1()
    {
        final RawHost.Dma data = host.allocate(8192);
        final int offset = 1024;
        final RawHost.Completion completion = host.admin(e -> e.opcode(Opcodes.ADMIN_IDENTIFY).namespaceId(1)
            .prp1(data.iova + offset).prp2(data.iova + 4096).cdw(10, Opcodes.CNS_NAMESPACE));
        assertEquals(0, completion.status());
        assertEquals(2048, new IdentifyNamespace().wrap(data.buffer, offset).size());
    }

    @Test
    void identifyInvalidNamespace_5_17()
    {
        final RawHost.Dma data = host.allocate(4096);
        data.buffer.setMemory(0, 4096, (byte)0x5A);
        final RawHost.Completion completion = identify(Opcodes.CNS_NAMESPACE, 4, data);
        assertStatus(Status.INVALID_NAMESPACE, completion);
        assertTrue(Status.doNotRetry(completion.status()));
        assertEquals(0x5A5A5A5A, data.buffer.getInt(0), "nothing transferred");
        assertStatus(Status.INVALID_NAMESPACE, identify(Opcodes.CNS_NAMESPACE, 0, data));
    }

    @Test
    void activeNamespaceListAboveNsid_5_17_2_2()
    {
        final RawHost.Dma data = host.allocate(4096);
        assertEquals(0, identify(Opcodes.CNS_ACTIVE_NAMESPACE_LIST, 0, data).status());
        assertArrayEquals(new int[]{ 1, 2, 3, 0 }, ints(data, 4));
        assertEquals(0, identify(Opcodes.CNS_ACTIVE_NAMESPACE_LIST, 2, data).status());
        assertArrayEquals(new int[]{ 3, 0 }, ints(data, 2));
        assertStatus(Status.INVALID_NAMESPACE, identify(Opcodes.CNS_ACTIVE_NAMESPACE_LIST, 0xFFFF_FFFE, data));
    }

    @Test
    void identifyUnsupportedCnsIsInvalidField_5_17()
    {
        assertStatus(Status.INVALID_FIELD, identify(0x10, 0, host.allocate(4096)));
    }

    @Test
    void identifyIntoUnmappedBufferIsDataTransferError_4_6_1_2_1()
    {
        final RawHost.Dma data = host.allocateUnmapped(4096);
        assertStatus(Status.DATA_TRANSFER_ERROR, identify(Opcodes.CNS_CONTROLLER, 0, data));
        assertEquals(1, host.iommu.faultCount());
        assertEquals(0, data.buffer.getLong(0));
    }

    @Test
    void unknownAdminOpcode_4_6_1_2_1()
    {
        final RawHost.Completion completion = host.admin(e -> e.opcode(0x7F));
        assertStatus(Status.INVALID_OPCODE, completion);
        assertTrue(Status.doNotRetry(completion.status()));
    }

    @Test
    void numberOfQueuesGrantsAtMostTheControllerMaximum_5_27_1_5()
    {
        final RawHost.Completion asked = host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, Opcodes.FEATURE_NUMBER_OF_QUEUES).cdw(11, (9 << 16) | 1));
        assertEquals(0, asked.status());
        assertEquals(1, asked.dw0() & 0xFFFF, "NSQA: 2 asked, zero-based");
        assertEquals(3, asked.dw0() >>> 16, "NCQA: 10 asked, 4 granted, zero-based");

        final RawHost.Completion current = host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES)
            .cdw(10, Opcodes.FEATURE_NUMBER_OF_QUEUES));
        assertEquals(asked.dw0(), current.dw0());

        // SQ 3 is beyond the two granted submission queues.
        final RawHost.Dma ring = host.allocate(4096);
        assertEquals(0, host.createCompletionQueue(3, ring, 8).status());
        assertStatus(Status.INVALID_QUEUE_ID, host.createSubmissionQueue(3, host.allocate(4096), 8, 3));

        // Once I/O queues exist the count is fixed.
        assertStatus(Status.COMMAND_SEQUENCE_ERROR, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, Opcodes.FEATURE_NUMBER_OF_QUEUES).cdw(11, 0)));
        assertStatus(Status.INVALID_FIELD, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, 0x55)));
    }

    @Test
    void volatileWriteCacheFeature_5_27_1_4()
    {
        assertEquals(1, host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, Opcodes.FEATURE_VOLATILE_WRITE_CACHE)).dw0());
        assertEquals(0, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, Opcodes.FEATURE_VOLATILE_WRITE_CACHE).cdw(11, 0)).status());
        assertEquals(0, host.admin(e -> e.opcode(Opcodes.ADMIN_GET_FEATURES).cdw(10, Opcodes.FEATURE_VOLATILE_WRITE_CACHE)).dw0());
        assertStatus(Status.FEATURE_NOT_SAVEABLE, host.admin(e -> e.opcode(Opcodes.ADMIN_SET_FEATURES)
            .cdw(10, (1 << 31) | Opcodes.FEATURE_VOLATILE_WRITE_CACHE).cdw(11, 1)));
    }

    @Test
    void createCompletionQueueErrors_5_4()
    {
        final RawHost.Dma ring = host.allocate(64 * 16);
        assertStatus(Status.INVALID_QUEUE_ID, host.createCompletionQueue(0, ring, 8));
        assertStatus(Status.INVALID_QUEUE_ID, host.createCompletionQueue(5, ring, 8));
        assertStatus(Status.INVALID_QUEUE_SIZE, host.createCompletionQueue(1, ring, 65));
        assertStatus(Status.INVALID_QUEUE_SIZE, host.createCompletionQueue(1, ring, 1));
        assertStatus(Status.INVALID_FIELD, host.admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(ring.iova)
            .cdw(10, (7 << 16) | 1).cdw(11, 0)));
        // Vectors 0..4: one per I/O queue pair and the admin queue's.
        assertEquals(5, host.controller.interrupts().count());
        assertStatus(Status.INVALID_INTERRUPT_VECTOR, host.admin(e -> e.opcode(Opcodes.ADMIN_CREATE_IO_CQ).prp1(ring.iova)
            .cdw(10, (7 << 16) | 1).cdw(11, (5 << 16) | Opcodes.CQ_INTERRUPTS_ENABLED | Opcodes.QUEUE_PHYSICALLY_CONTIGUOUS)));
        assertStatus(Status.INVALID_FIELD, host.createCompletionQueue(1, offsetBy(ring, 512), 8));
        assertEquals(0, host.createCompletionQueue(1, ring, 64).status(), "MQES + 1 entries is the largest allowed");
        final RawHost.Completion again = host.createCompletionQueue(1, host.allocate(4096), 8);
        assertStatus(Status.INVALID_QUEUE_ID, again);
        assertTrue(Status.doNotRetry(again.status()));
    }

    @Test
    void createSubmissionQueueNeedsItsCompletionQueue_5_5()
    {
        assertStatus(Status.CQ_INVALID, host.createSubmissionQueue(1, host.allocate(4096), 8, 1));
        assertStatus(Status.CQ_INVALID, host.createSubmissionQueue(1, host.allocate(4096), 8, 0));
        assertEquals(0, host.createCompletionQueue(2, host.allocate(4096), 8).status());
        assertEquals(0, host.createSubmissionQueue(1, host.allocate(4096), 8, 2).status(), "any existing CQ will do");
        assertStatus(Status.INVALID_QUEUE_ID, host.createSubmissionQueue(1, host.allocate(4096), 8, 2));
        assertStatus(Status.INVALID_QUEUE_SIZE, host.createSubmissionQueue(3, host.allocate(8192), 100, 2));
    }

    @Test
    void deleteQueuesInOrder_5_6_and_5_7()
    {
        host.createQueuePair(1, 8);
        assertStatus(Status.INVALID_QUEUE_DELETION, deleteCq(1));
        assertStatus(Status.INVALID_QUEUE_ID, deleteSq(2));
        assertStatus(Status.INVALID_QUEUE_ID, deleteSq(0));
        assertEquals(0, deleteSq(1).status());
        assertStatus(Status.INVALID_QUEUE_ID, deleteSq(1));
        assertEquals(0, deleteCq(1).status());
        assertStatus(Status.INVALID_QUEUE_ID, deleteCq(1));
        host.createQueuePair(1, 8);
    }

    @Test
    void abortFindsNothingOutstanding_5_1()
    {
        final RawHost.Completion completion = host.admin(e -> e.opcode(Opcodes.ADMIN_ABORT).cdw(10, (7 << 16) | 1));
        assertEquals(0, completion.status());
        assertEquals(1, completion.dw0() & 1, "not aborted");
    }

    @Test
    void asyncEventRequestsStayOutstandingUpToTheLimit_5_2()
    {
        for (int i = 0; i < AdminCommands.ASYNC_EVENT_LIMIT; i++)
        {
            host.push(host.admin, e -> e.opcode(Opcodes.ADMIN_ASYNC_EVENT_REQUEST));
        }
        host.ringSq(host.admin);
        assertTrue(!host.completionVisible(host.admin), "no event, no completion");
        assertStatus(Status.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED, host.admin(e -> e.opcode(Opcodes.ADMIN_ASYNC_EVENT_REQUEST)));
    }

    private RawHost.Completion deleteSq(final int qid)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_DELETE_IO_SQ).cdw(10, qid));
    }

    private RawHost.Completion deleteCq(final int qid)
    {
        return host.admin(e -> e.opcode(Opcodes.ADMIN_DELETE_IO_CQ).cdw(10, qid));
    }

    private static RawHost.Dma offsetBy(final RawHost.Dma dma, final int offset)
    {
        return new RawHost.Dma(dma.buffer, dma.address + offset, dma.iova + offset);
    }

    private static int[] ints(final RawHost.Dma data, final int count)
    {
        final int[] values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = data.buffer.getInt(i * 4);
        }
        return values;
    }
}
