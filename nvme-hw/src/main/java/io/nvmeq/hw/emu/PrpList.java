package io.nvmeq.hw.emu;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.hw.spec.MemoryPage;
import io.nvmeq.hw.spec.Status;

/**
 * The host buffer that a command's PRP entries describe (NVMe base spec 2.0 §4.1.1 "Physical Region
 * Page Entry and List"), resolved into IOVA segments, and the data moves into and out of it.
 *
 * <p>Rules checked: PRP1 may start anywhere dword-aligned in a page; every later entry is
 * page-aligned (else PRP Offset Invalid); PRP2 is the second data page when the transfer ends in it,
 * else a pointer to a PRP list whose last entry, when more entries are needed than fit in the rest of
 * its page, points to the next list page. Every list entry is read through the IOMMU; a fault there
 * fails the command with Data Transfer Error before any data moves. Data moves are all-or-nothing:
 * every segment is checked against the IOMMU before the first byte is copied.
 *
 * <p>One instance per submission queue, used only under that queue's lock; sized once for the
 * largest transfer the controller accepts, so walking allocates nothing.
 */
final class PrpList
{
    private final EmulatedIommu iommu;
    private final FaultInjector faults;
    private final int pageSize;
    private final ByteBuffer listPageMemory;
    private final UnsafeBuffer listPage;
    private final long[] iovas;
    private final long[] lengths;
    private final IoTlb tlb = new IoTlb();
    private int count;

    PrpList(final EmulatedIommu iommu, final FaultInjector faults, final int pageSize, final long maxTransferBytes)
    {
        this.iommu = iommu;
        this.faults = faults;
        this.pageSize = pageSize;
        this.listPageMemory = BufferUtil.allocateDirectAligned(pageSize, MemoryPage.SIZE);
        this.listPage = new UnsafeBuffer(listPageMemory);
        final int maxEntries = (int)(maxTransferBytes / pageSize) + 2;
        this.iovas = new long[maxEntries];
        this.lengths = new long[maxEntries];
    }

    /**
     * Resolves PRP1/PRP2 for a transfer of {@code length} bytes (at most the size given at
     * construction). Returns {@link Status#SUCCESS} or the status to complete the command with.
     */
    int resolve(final long prp1, final long prp2, final long length)
    {
        count = 0;
        if (length == 0)
        {
            return Status.SUCCESS;
        }
        if ((prp1 & 0x3) != 0)
        {
            return Status.withDnr(Status.INVALID_PRP_OFFSET);
        }
        final long pageMask = pageSize - 1;
        final long first = Math.min(length, pageSize - (prp1 & pageMask));
        add(prp1, first);
        long remaining = length - first;
        if (remaining == 0)
        {
            return Status.SUCCESS;
        }
        if (remaining <= pageSize)
        {
            if ((prp2 & pageMask) != 0)
            {
                return Status.withDnr(Status.INVALID_PRP_OFFSET);
            }
            add(prp2, remaining);
            return Status.SUCCESS;
        }
        long listIova = prp2;
        while (remaining > 0)
        {
            // List entries are qwords; a list pointer may start mid-page (spec: offset qword aligned).
            if ((listIova & 0x7) != 0)
            {
                return Status.withDnr(Status.INVALID_PRP_OFFSET);
            }
            final int slotsInPage = (int)((pageSize - (listIova & pageMask)) >>> 3);
            final long needed = (remaining + pageSize - 1) / pageSize;
            final boolean chains = needed > slotsInPage;
            final int entries = chains ? slotsInPage : (int)needed;
            if (!iommu.readHost(listIova, listPage.addressOffset(), (long)entries << 3))
            {
                return Status.withDnr(Status.DATA_TRANSFER_ERROR);
            }
            final int dataEntries = chains ? entries - 1 : entries;
            for (int i = 0; i < dataEntries; i++)
            {
                final long entry = listPage.getLong(i << 3);
                if ((entry & pageMask) != 0)
                {
                    return Status.withDnr(Status.INVALID_PRP_OFFSET);
                }
                final long chunk = Math.min(remaining, pageSize);
                add(entry, chunk);
                remaining -= chunk;
            }
            if (chains)
            {
                listIova = listPage.getLong((entries - 1) << 3);
            }
        }
        return Status.SUCCESS;
    }

    int segmentCount()
    {
        return count;
    }

    long segmentIova(final int index)
    {
        return iovas[index];
    }

    long segmentLength(final int index)
    {
        return lengths[index];
    }

    /** Store → host (a Read). False on an IOMMU fault; then no host byte was written. */
    boolean storeToHost(final BlockStore store, final long storeOffset)
    {
        if (count == 1)
        {
            // One segment is one IOMMU transfer, which checks all of it before it moves a byte.
            return !injectedFault() && iommu.storeToHost(store, storeOffset, iovas[0], lengths[0], tlb);
        }
        if (!allMapped())
        {
            return false;
        }
        long offset = storeOffset;
        for (int i = 0; i < count; i++)
        {
            if (!iommu.storeToHost(store, offset, iovas[i], lengths[i], tlb))
            {
                return false;
            }
            offset += lengths[i];
        }
        return true;
    }

    /** Host → store (a Write). False on an IOMMU fault; then no store byte was written. */
    boolean hostToStore(final BlockStore store, final long storeOffset)
    {
        if (count == 1)
        {
            return !injectedFault() && iommu.hostToStore(iovas[0], lengths[0], store, storeOffset, tlb);
        }
        if (!allMapped())
        {
            return false;
        }
        long offset = storeOffset;
        for (int i = 0; i < count; i++)
        {
            if (!iommu.hostToStore(iovas[i], lengths[i], store, offset, tlb))
            {
                return false;
            }
            offset += lengths[i];
        }
        return true;
    }

    /** Controller memory → host (Identify data, log pages). */
    boolean toHost(final long srcAddress)
    {
        if (!allMapped())
        {
            return false;
        }
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (!iommu.writeHost(iovas[i], srcAddress + offset, lengths[i]))
            {
                return false;
            }
            offset += lengths[i];
        }
        return true;
    }

    /**
     * Controller memory → host, {@code srcLength} bytes from {@code srcAddress} and zeroes for the rest
     * of the transfer (a log page read past its end).
     */
    boolean toHostPadded(final long srcAddress, final long srcLength)
    {
        if (!allMapped())
        {
            return false;
        }
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            long done = 0;
            while (done < lengths[i])
            {
                final long at = offset + done;
                final long chunk;
                final boolean ok;
                if (at < srcLength)
                {
                    chunk = Math.min(lengths[i] - done, srcLength - at);
                    ok = iommu.writeHost(iovas[i] + done, srcAddress + at, chunk);
                }
                else
                {
                    // Zeroes for the part of a transfer past the end of a log page.
                    chunk = Math.min(lengths[i] - done, Zeroes.BLOCK.capacity());
                    ok = iommu.writeHost(iovas[i] + done, Zeroes.BLOCK.addressOffset(), chunk);
                }
                if (!ok)
                {
                    return false;
                }
                done += chunk;
            }
            offset += lengths[i];
        }
        return true;
    }

    /** Host → controller memory (Dataset Management ranges). */
    boolean fromHost(final long dstAddress)
    {
        if (!allMapped())
        {
            return false;
        }
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (!iommu.readHost(iovas[i], dstAddress + offset, lengths[i]))
            {
                return false;
            }
            offset += lengths[i];
        }
        return true;
    }

    private boolean allMapped()
    {
        if (injectedFault())
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (!iommu.check(iovas[i], lengths[i]))
            {
                return false;
            }
        }
        return true;
    }

    /** An IOMMU fault the fault injector arms for the next transfer: recorded at the first segment. */
    private boolean injectedFault()
    {
        if (count > 0 && faults.takeIommuFault())
        {
            iommu.injectFault(iovas[0]);
            return true;
        }
        return false;
    }

    private void add(final long iova, final long length)
    {
        iovas[count] = iova;
        lengths[count] = length;
        count++;
    }
}
