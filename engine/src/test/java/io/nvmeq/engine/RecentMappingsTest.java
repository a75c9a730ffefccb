package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Temporary mappings reused by requests on the same buffer: one IOMMU mapping serves them while its
 * lease lasts, another object at the same address never gets it, and a reused mapping is never
 * unmapped while a request still holds it, whatever the order of maps, releases and resets.
 */
class RecentMappingsTest
{
    private static final long HOST = 0x7f00_0000_0000L;

    @Test
    void requestsOnTheSameBufferShareOneMappingEvenWhileBothAreInFlight()
    {
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, 100);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final Object buffer = new Object();
        final long first = holder.map(buffer, HOST + 0x10, 1024);
        final long second = holder.map(buffer, HOST + 0x10, 1024);
        assertEquals(first, second);
        assertEquals(1, iommu.count(), "one mapping for both");
        assertEquals(first + 0x100, holder.map(buffer, HOST + 0x110, 512), "another part of the same pages");
        holder.release(first);
        holder.release(second);
        holder.release(first + 0x100);
        assertEquals(first, holder.map(buffer, HOST + 0x10, 1024), "still there after the releases");
        holder.release(first);
        assertEquals(0, space.temporaryInFlight());
        space.trimTemporary();
        assertEquals(0, iommu.count());
    }

    @Test
    void anotherObjectAtTheSameAddressIsMappedAnew()
    {
        // Memory freed and allocated again at the same address may be other pages: only the same object counts.
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, 100);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final long first = holder.map(new Object(), HOST, 1024);
        holder.release(first);
        final long second = holder.map(new Object(), HOST, 1024);
        assertNotEquals(first, second);
        assertEquals(2, iommu.count());
        assertNotEquals(second, holder.map(null, HOST, 1024), "no buffer: never reused");
    }

    @Test
    void aMappingWhoseEpochIsWantedBackIsNotReusedAndGoesWithTheEpoch()
    {
        // Four mappings in all: ENOSPC closes the epoch (it is wanted back), so the first buffer is mapped anew.
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, 4);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final Object[] buffers = {new Object(), new Object(), new Object(), new Object(), new Object()};
        final List<Long> held = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            held.add(holder.map(buffers[i], HOST + i * 4096L, 512));
        }
        assertEquals(IovaSpace.NO_IOVA, holder.map(buffers[4], HOST + 4 * 4096L, 512), "the mapping limit is reached");
        assertEquals(IovaSpace.NO_IOVA, holder.map(buffers[0], HOST, 512), "its epoch is wanted back: no reuse");
        final int unmaps = iommu.unmapCallCount();
        for (int i = 0; i < held.size(); i++)
        {
            assertTrue(iommu.translatesTo(held.get(i), 512, HOST + i * 4096L), "each in use stays mapped");
            holder.release(held.get(i));
        }
        assertTrue(iommu.unmapCallCount() > unmaps, "the drained epoch was reset");
        final long again = holder.map(buffers[0], HOST, 512);
        assertNotEquals(IovaSpace.NO_IOVA, again);
        assertTrue(iommu.translatesTo(again, 512, HOST), "mapped anew, to the same memory");
        holder.release(again);
    }

    /**
     * A few buffers used over and over by three holders, with a maintenance executor at random moments
     * and a small mapping limit: every IOVA a request holds translates to its buffer's memory until it is
     * released, and nothing leaks.
     */
    @Property(tries = 1000)
    void reusedMappingsStayMappedWhileInUseAndNeverLeak(
        @ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 24) final int mappingLimit,
        @ForAll @IntRange(min = 1, max = 40) final int bufferCount)
    {
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, mappingLimit);
        final IovaSpace space = new IovaSpace(iommu);
        final List<Runnable> tasks = new ArrayList<>();
        final Random random = new Random(seed);
        if (random.nextBoolean())
        {
            space.resetWith(tasks::add);
        }
        final TemporaryMappings[] holders = new TemporaryMappings[3];
        for (int h = 0; h < holders.length; h++)
        {
            holders[h] = space.temporaryMappingsFor(h + 1);
        }
        final Object[] buffers = new Object[bufferCount];
        final long[] hosts = new long[bufferCount];
        for (int b = 0; b < bufferCount; b++)
        {
            buffers[b] = new Object();
            // Some buffers share a page, some cross into the next one.
            hosts[b] = HOST + (long)b * 3000;
        }
        final List<long[]> inUse = new ArrayList<>();      // {iova, length, host, holder}
        for (int step = 0; step < 400; step++)
        {
            final int op = random.nextInt(10);
            if (op < 5)
            {
                final int h = random.nextInt(holders.length);
                final int b = random.nextInt(bufferCount);
                final long offset = random.nextInt(1024);
                final long length = 1 + random.nextInt(2048);
                final long iova = holders[h].map(buffers[b], hosts[b] + offset, length);
                if (iova != IovaSpace.NO_IOVA)
                {
                    inUse.add(new long[] {iova, length, hosts[b] + offset, h});
                }
            }
            else if (op < 8 && !inUse.isEmpty())
            {
                final long[] use = inUse.remove(random.nextInt(inUse.size()));
                holders[(int)use[3]].release(use[0]);
            }
            else
            {
                runAll(tasks);
            }
            for (final long[] use : inUse)
            {
                assertTrue(iommu.translatesTo(use[0], use[1], use[2]), "a mapping in use stays mapped to its memory");
            }
        }
        for (final long[] use : inUse)
        {
            holders[(int)use[3]].release(use[0]);
        }
        runAll(tasks);
        assertEquals(0, space.temporaryInFlight());
        space.resetWith(null);
        space.trimTemporary();
        assertEquals(0, iommu.count(), "nothing is left mapped");
    }

    private static void runAll(final List<Runnable> tasks)
    {
        while (!tasks.isEmpty())
        {
            tasks.remove(0).run();
        }
    }
}
