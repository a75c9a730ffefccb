package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * NVM command set (NVM command set spec 1.0 §3) and PRPs (NVMe base spec 2.0 §4.1.1), byte-exact,
 * through queues and buffers mapped in the controller's IOMMU.
 */
class NvmCommandsTest
{
    /** Threads of the controller's own: 0 here, more in {@link DeviceThreadsConformanceTest}. */
    int deviceThreads()
    {
        return 0;
    }

    private static final int BLOCK = 512;

    private final RawHost host = RawHost.create(EmulatorConfig.builder()
        .namespaces(2).namespaceBytes(4L << 20).blockSize(BLOCK).mdts(5).deviceThreads(deviceThreads()).build());
    private RawHost.HostQueue queue;

    @BeforeEach
    void enable()
    {
        host.enable(8);
        queue = host.createQueuePair(1, 16);
    }

    @AfterEach
    void close()
    {
        host.close();
    }

    private RawHost.Completion write(final long slba, final int blocks, final long prp1, final long prp2)
    {
        return host.execute(queue, RawHost.io(Opcodes.NVM_WRITE, 1, slba, blocks, prp1, prp2));
    }

    private RawHost.Completion read(final long slba, final int blocks, final long prp1, final long prp2)
    {
        return host.execute(queue, RawHost.io(Opcodes.NVM_READ, 1, slba, blocks, prp1, prp2));
    }

    private static void fillRandom(final RawHost.Dma dma, final int offset, final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        dma.buffer.putBytes(offset, bytes);
    }

    private static void assertSameBytes(final RawHost.Dma expected, final int expectedOffset,
        final RawHost.Dma actual, final int actualOffset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (expected.buffer.getByte(expectedOffset + i) != actual.buffer.getByte(actualOffset + i))
            {
                throw new AssertionError("bytes differ at " + i + " of " + length);
            }
        }
    }

    private static void assertStatus(final int expected, final RawHost.Completion completion)
    {
        assertEquals(Status.describe(expected), Status.describe(completion.status()));
    }

    @Test
    void writeThenReadWithPrp1Only_4_1_1()
    {
        final RawHost.Dma out = host.allocate(4096);
        final RawHost.Dma in = host.allocate(4096);
        fillRandom(out, 0, 4096, 1);
        final RawHost.Completion written = write(10, 8, out.iova, 0);
        assertEquals(0, written.status());
        assertEquals(1, written.sqId());
        assertEquals(queue.sqTail, written.sqHead(), "SQ head reported after consuming the entry");
        assertEquals(0, read(10, 8, in.iova, 0).status());
        assertSameBytes(out, 0, in, 0, 4096);
        assertEquals(4096, host.controller.counters().bytesWritten());
        assertEquals(4096, host.controller.counters().bytesRead());
    }

    @Test
    void writeThenReadWithPrp1AndPrp2_4_1_1()
    {
        final RawHost.Dma out = host.allocate(3 * 4096);
        final RawHost.Dma in = host.allocate(3 * 4096);
        fillRandom(out, 0, 3 * 4096, 2);
        // 8 KiB from the first and third pages: PRP2 names the second data page directly.
        out.buffer.putBytes(4096, out.buffer, 2 * 4096, 4096);
        assertEquals(0, write(100, 16, out.iova, out.iova + 2 * 4096).status());
        assertEquals(0, read(100, 16, in.iova, in.iova + 4096).status());
        assertSameBytes(out, 0, in, 0, 8192);
    }

    @Test
    void writeThenReadWithPrp1OffsetAndPrp2_4_1_1()
    {
        final RawHost.Dma out = host.allocate(2 * 4096);
        final RawHost.Dma in = host.allocate(2 * 4096);
        fillRandom(out, 0, 2 * 4096, 3);
        // 2 KiB at offset 3 KiB: 1 KiB in the first page, 1 KiB in the page PRP2 names.
        assertEquals(0, write(7, 4, out.iova + 3072, out.iova + 4096).status());
        assertEquals(0, read(7, 4, in.iova + 3072, in.iova + 4096).status());
        assertSameBytes(out, 3072, in, 3072, 2048);
    }

    @Test
    void writeThenReadWithPrpList_4_1_1()
    {
        final int pages = 8;
        final RawHost.Dma out = host.allocate(pages * 4096);
        final RawHost.Dma in = host.allocate(pages * 4096);
        final RawHost.Dma outList = host.allocate(4096);
        final RawHost.Dma inList = host.allocate(4096);
        fillRandom(out, 0, pages * 4096, 4);
        // The list names pages in reverse, so a controller that ignored the list would read the wrong data.
        for (int i = 1; i < pages; i++)
        {
            outList.buffer.putLong((i - 1) * 8, out.iova + (long)(pages - i) * 4096);
            inList.buffer.putLong((i - 1) * 8, in.iova + (long)i * 4096);
        }
        assertEquals(0, write(0, pages * 8, out.iova, outList.iova).status());
        assertEquals(0, read(0, pages * 8, in.iova, inList.iova).status());
        assertSameBytes(out, 0, in, 0, 4096);
        for (int i = 1; i < pages; i++)
        {
            assertSameBytes(out, (pages - i) * 4096, in, i * 4096, 4096);
        }
    }

    @Test
    void prpListWithPrp1OffsetAndChainedListPage_4_1_1()
    {
        final RawHost.Dma out = host.allocate(5 * 4096);
        final RawHost.Dma in = host.allocate(5 * 4096);
        final RawHost.Dma list = host.allocate(4096);
        final RawHost.Dma nextList = host.allocate(4096);
        fillRandom(out, 0, 5 * 4096, 5);
        // 16 KiB starting 512 bytes into the first page: 3.5 KiB + 3 full pages + 512 bytes = 5 entries.
        // The list starts 16 bytes before the end of its page: one data entry, then a pointer to the
        // next list page, which lies elsewhere (not after the first).
        final long listIova = list.iova + 4096 - 16;
        list.buffer.putLong(4096 - 16, out.iova + 4096);
        list.buffer.putLong(4096 - 8, nextList.iova);
        for (int i = 0; i < 3; i++)
        {
            nextList.buffer.putLong(i * 8, out.iova + (2L + i) * 4096);
        }
        assertEquals(0, write(50, 32, out.iova + 512, listIova).status());
        // Read back the same 16 KiB contiguously into 'in' through a plain list, and compare.
        final RawHost.Dma inList = host.allocate(4096);
        for (int i = 0; i < 4; i++)
        {
            inList.buffer.putLong(i * 8, in.iova + (1L + i) * 4096);
        }
        assertEquals(0, read(50, 32, in.iova + 512, inList.iova).status());
        assertSameBytes(out, 512, in, 512, 16 * 1024);
    }

    @Test
    void misalignedPrpEntriesAreInvalidOffset_4_1_1()
    {
        final RawHost.Dma data = host.allocate(3 * 4096);
        assertStatus(Status.INVALID_PRP_OFFSET, write(0, 16, data.iova, data.iova + 4096 + 8));
        assertStatus(Status.INVALID_PRP_OFFSET, write(0, 1, data.iova + 2, 0));
        final RawHost.Dma list = host.allocate(4096);
        list.buffer.putLong(0, data.iova + 4096 + 512);
        list.buffer.putLong(8, data.iova + 2 * 4096);
        assertStatus(Status.INVALID_PRP_OFFSET, write(0, 24, data.iova, list.iova));
        assertEquals(0, host.controller.counters().bytesWritten());
    }

    @Test
    void lbaOutOfRangeWritesNothing_nvm_3_2_6()
    {
        final long blocks = (4L << 20) / BLOCK;
        final RawHost.Dma out = host.allocate(4096);
        fillRandom(out, 0, 4096, 6);
        final RawHost.Completion completion = write(blocks - 4, 8, out.iova, 0);
        assertStatus(Status.LBA_OUT_OF_RANGE, completion);
        assertTrue(Status.doNotRetry(completion.status()));
        final RawHost.Dma in = host.allocate(4096);
        in.buffer.setMemory(0, 4096, (byte)0x77);
        assertEquals(0, read(blocks - 4, 4, in.iova, 0).status());
        for (int i = 0; i < 4 * BLOCK; i++)
        {
            assertEquals(0, in.buffer.getByte(i), "the last blocks stayed zero");
        }
        assertStatus(Status.LBA_OUT_OF_RANGE, read(-1L, 1, in.iova, 0));
        assertStatus(Status.LBA_OUT_OF_RANGE, read(blocks, 1, in.iova, 0));
    }

    @Test
    void invalidNamespace_4_6_1_2_1()
    {
        final RawHost.Dma data = host.allocate(4096);
        for (final int nsid : new int[]{ 0, 3, 0xFFFF_FFFF })
        {
            final RawHost.Completion completion = host.execute(queue, RawHost.io(Opcodes.NVM_READ, nsid, 0, 1, data.iova, 0));
            assertStatus(Status.INVALID_NAMESPACE, completion);
            assertTrue(Status.doNotRetry(completion.status()));
        }
        assertEquals(0, host.execute(queue, RawHost.io(Opcodes.NVM_READ, 2, 0, 1, data.iova, 0)).status());
    }

    @Test
    void unknownOpcode_4_6_1_2_1()
    {
        assertStatus(Status.INVALID_OPCODE, host.execute(queue, e -> e.opcode(0x7E).namespaceId(1)));
    }

    @Test
    void transferOverMdtsIsInvalidField_5_17_2_1()
    {
        // MDTS 5: 32 pages of 4 KiB = 128 KiB = 256 blocks; one block more is refused.
        final RawHost.Dma data = host.allocate(4096);
        assertStatus(Status.INVALID_FIELD, read(0, 257, data.iova, 0));
    }

    @Test
    void unmappedBufferIsDataTransferErrorAndTouchesNothing_4_6_1_2_1()
    {
        // A read into two pages of which the second is not mapped: the first must stay untouched too.
        final RawHost.Dma out = host.allocate(8192);
        fillRandom(out, 0, 8192, 7);
        assertEquals(0, write(0, 16, out.iova, out.iova + 4096).status());
        final RawHost.Dma in = host.allocate(4096);
        final RawHost.Dma unmapped = host.allocateUnmapped(4096);
        in.buffer.setMemory(0, 4096, (byte)0x33);
        final long faults = host.iommu.faultCount();
        final RawHost.Completion completion = read(0, 16, in.iova, unmapped.iova);
        assertStatus(Status.DATA_TRANSFER_ERROR, completion);
        assertEquals(faults + 1, host.iommu.faultCount());
        assertEquals(unmapped.iova, host.iommu.lastFaultIova());
        for (int i = 0; i < 4096; i++)
        {
            assertEquals(0x33, in.buffer.getByte(i));
        }
        // A write from an unmapped page stores nothing either.
        final RawHost.Dma zeroes = host.allocate(8192);
        assertStatus(Status.DATA_TRANSFER_ERROR, write(0, 16, out.iova, unmapped.iova));
        assertEquals(0, read(0, 16, zeroes.iova, zeroes.iova + 4096).status());
        assertSameBytes(out, 0, zeroes, 0, 8192);
    }

    @Test
    void unmappedPrpListIsDataTransferError_4_1_1()
    {
        final RawHost.Dma data = host.allocate(4 * 4096);
        final RawHost.Dma list = host.allocateUnmapped(4096);
        assertStatus(Status.DATA_TRANSFER_ERROR, read(0, 32, data.iova, list.iova));
        assertEquals(list.iova, host.iommu.lastFaultIova());
    }

    @Test
    void writeZeroesAndDeallocateReadBackZeroes_nvm_3_2_8_and_3_2_3()
    {
        final RawHost.Dma out = host.allocate(4096);
        final RawHost.Dma in = host.allocate(4096);
        fillRandom(out, 0, 4096, 8);
        assertEquals(0, write(200, 8, out.iova, 0).status());
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_WRITE_ZEROES).namespaceId(1)
            .startingLba(201).cdw(12, 1)).status());
        assertEquals(0, read(200, 8, in.iova, 0).status());
        assertSameBytes(out, 0, in, 0, BLOCK);
        for (int i = BLOCK; i < 3 * BLOCK; i++)
        {
            assertEquals(0, in.buffer.getByte(i));
        }
        assertSameBytes(out, 3 * BLOCK, in, 3 * BLOCK, 5 * BLOCK);

        final RawHost.Dma ranges = host.allocate(4096);
        ranges.buffer.putInt(4, 5);
        ranges.buffer.putLong(8, 203);
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_DATASET_MANAGEMENT).namespaceId(1)
            .prp1(ranges.iova).cdw(10, 0).cdw(11, 1 << 2)).status());
        assertEquals(0, read(200, 8, in.iova, 0).status());
        for (int i = BLOCK; i < 8 * BLOCK; i++)
        {
            assertEquals(0, in.buffer.getByte(i));
        }
        ranges.buffer.putLong(8, (4L << 20) / BLOCK - 1);
        assertStatus(Status.LBA_OUT_OF_RANGE, host.execute(queue, e -> e.opcode(Opcodes.NVM_DATASET_MANAGEMENT)
            .namespaceId(1).prp1(ranges.iova).cdw(10, 0).cdw(11, 1 << 2)));
    }

    @Test
    void flushAndFuaWriteComplete_nvm_3_2_6()
    {
        final RawHost.Dma out = host.allocate(4096);
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_WRITE).namespaceId(1).startingLba(0)
            .cdw(12, Opcodes.RW_FUA).prp1(out.iova)).status());
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status());
        assertEquals(0, host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(0xFFFF_FFFF)).status());
        assertEquals(2, host.controller.counters().flushes());
    }

    @Test
    void dataWrittenOnOneQueueIsReadOnAnother_4_1()
    {
        final RawHost.HostQueue other = host.createQueuePair(2, 4);
        final RawHost.Dma out = host.allocate(4096);
        final RawHost.Dma in = host.allocate(4096);
        fillRandom(out, 0, 4096, 9);
        assertEquals(0, write(300, 8, out.iova, 0).status());
        final RawHost.Completion completion = host.execute(other, RawHost.io(Opcodes.NVM_READ, 1, 300, 8, in.iova, 0));
        assertEquals(0, completion.status());
        assertEquals(2, completion.sqId());
        assertSameBytes(out, 0, in, 0, 4096);
    }

    @Test
    void sglOrFusedCommandsAreRefused_4_2()
    {
        final RawHost.Dma data = host.allocate(4096);
        assertStatus(Status.INVALID_FIELD, host.execute(queue, e -> e.opcode(Opcodes.NVM_READ).namespaceId(1)
            .flags(1 << 6).prp1(data.iova)));
        assertStatus(Status.INVALID_FIELD, host.execute(queue, e -> e.opcode(Opcodes.NVM_READ).namespaceId(1)
            .flags(1).prp1(data.iova)));
    }
}
