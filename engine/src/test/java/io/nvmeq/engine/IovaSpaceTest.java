package io.nvmeq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IOVA allocator against a reference IOMMU ({@link ModelIommu}) and a reference list of what is
 * in use: whatever the order of mappings, releases and registrations, every mapping a request still
 * holds stays mapped to its memory, registered ranges are found by address, nothing lands outside the
 * usable range, and the temporary region never leaks.
 */
class IovaSpaceTest
{
    private static final long BASE = 0x10000;
    private static final long HOST = 0x7f00_0000_0000L;

    @Property(tries = 2000)
    void randomUseKeepsMappingsInUseAndNeverLeaks(
        @ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 48) final int mappingLimit,
        @ForAll @IntRange(min = 8, max = 512) final int pages)
    {
        final ModelIommu iommu = new ModelIommu(0, BASE + (long)pages * ModelIommu.PAGE, mappingLimit);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final Random random = new Random(seed);
        final List<long[]> leases = new ArrayList<>();      // {iova, length, host}
        final List<long[]> registered = new ArrayList<>();  // {address, length, iova}

        for (int step = 0; step < 300; step++)
        {
            final int op = random.nextInt(10);
            if (op < 5)
            {
                final long host = HOST + (long)random.nextInt(1 << 20) * ModelIommu.PAGE + random.nextInt(ModelIommu.PAGE);
                final long length = 1 + random.nextInt(random.nextBoolean() ? 8192 : 4 * ModelIommu.PAGE * 4);
                final long bytesNeeded = pagesOf(host, length) * ModelIommu.PAGE;
                final long iova = holder.map(host, length);
                if (iova == IovaSpace.NO_IOVA)
                {
                    final boolean roomForIt = bytesNeeded <= space.max() - space.low()
                        && registered.size() < mappingLimit;
                    assertTrue(!leases.isEmpty() || !roomForIt,
                        "refused with nothing in flight although the space is free, step " + step);
                }
                else
                {
                    assertEquals(host & 4095, iova & 4095, "the IOVA keeps the byte's page offset");
                    leases.add(new long[] {iova, length, host});
                }
            }
            else if (op < 8 && !leases.isEmpty())
            {
                final long[] lease = leases.remove(random.nextInt(leases.size()));
                holder.release(lease[0]);
            }
            else if (op == 8)
            {
                final long address = HOST + (1L << 40) + (long)random.nextInt(1 << 16) * 64;
                final int length = 1 + random.nextInt(3 * ModelIommu.PAGE);
                if (overlapsAny(registered, address, length))
                {
                    assertThrows(InvalidRequestException.class, () -> space.register(address, length));
                }
                else
                {
                    try
                    {
                        final long iova = space.register(address, length).iova();
                        registered.add(new long[] {address, length, iova});
                    }
                    catch (final IovaExhaustedException ex)
                    {
                        // A legitimate answer when fixed space or mappings are gone; nothing may have changed.
                        assertEquals(IovaSpace.NO_IOVA, space.lookup(address, 1));
                    }
                }
            }
            else if (!registered.isEmpty())
            {
                final long[] range = registered.remove(random.nextInt(registered.size()));
                space.unregister(range[0], range[1], range[2]);
                assertEquals(IovaSpace.NO_IOVA, space.lookup(range[0], 1));
            }
            checkInvariants(iommu, space, leases, registered, random);
        }
        for (final long[] lease : leases)
        {
            holder.release(lease[0]);
        }
        leases.clear();
        assertEquals(0, space.temporaryInFlight());
        space.trimTemporary();
        assertEquals(registered.size(), iommu.count(), "after the last release only fixed mappings remain");
        checkInvariants(iommu, space, leases, registered, random);
    }

    @Test
    void temporaryMappingsGrowDownFromTheTopAndFixedOnesUpFromTheBottom()
    {
        final ModelIommu iommu = new ModelIommu(0, 0x100000, 100);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        assertEquals(IovaSpace.IOVA_MIN, space.min(), "nothing below the 64 KiB floor");
        final long first = holder.map(HOST + 0x10, 100);
        assertEquals(0x100000 - 4096 + 0x10, first);
        final long second = holder.map(HOST + 8192, 8192);
        assertEquals(0x100000 - 4096 - 8192, second);
        final long fixed = space.register(HOST + (1L << 40), 4096).iova();
        assertEquals(IovaSpace.IOVA_MIN, fixed);
        assertEquals(IovaSpace.IOVA_MIN + 4096, space.register(HOST + (1L << 40) + 4096, 10).iova());
        assertEquals(fixed + 100, space.lookup(HOST + (1L << 40) + 100, 50));
        assertEquals(IovaSpace.NO_IOVA, space.lookup(HOST + (1L << 40) + 4000, 200), "crosses out of the range");
    }

    @Test
    void usesTheWidestUsableRangeAboveTheFloor()
    {
        final ModelIommu iommu = new ModelIommu(0xFEE0_0000L, 0x1_0000_0000L, 10);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        assertEquals(0xFEE0_0000L, space.min());
        assertEquals(0x1_0000_0000L, space.max());
    }

    @Test
    void enospcClosesTheEpochAndTheLastReleaseResetsItWithOneUnmap()
    {
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, 4);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final List<Long> held = new ArrayList<>();
        long iova;
        while ((iova = holder.map(HOST + held.size() * 4096L, 512)) != IovaSpace.NO_IOVA)
        {
            held.add(iova);
        }
        assertEquals(4, held.size(), "the mapping limit, not the IOVA space, ran out");
        final int unmapsBefore = iommu.unmapCallCount();
        for (final long each : held)
        {
            holder.release(each);
        }
        assertTrue(iommu.unmapCallCount() - unmapsBefore <= 2, "one bulk unmap per closed epoch");
        assertTrue(space.epochResetCount() >= 1);
        assertNotEquals(IovaSpace.NO_IOVA, holder.map(HOST, 512), "the space is usable again");
        assertThrows(IllegalStateException.class, () -> holder.release(0x20000), "not a lease");
    }

    @Test
    void aClosedEpochResetsOnlyOnceDrainedWhileTheNextOneTakesNewMappings()
    {
        final long top = IovaSpace.IOVA_MIN + 16 * 4096;
        final ModelIommu iommu = new ModelIommu(0, top, 1000);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        // Epoch A may take half of the 16 free pages: a and b fill it.
        final long a = holder.map(HOST, 4 * 4096);
        final long b = holder.map(HOST, 4 * 4096);
        assertEquals(top - 8 * 4096, b);
        // c closes A and opens B below it; A stays mapped while a and b are in flight.
        final long c = holder.map(HOST + 0x100000, 4 * 4096);
        assertEquals(top - 12 * 4096, c);
        assertEquals(0, space.epochResetCount());
        holder.release(a);
        assertTrue(iommu.translatesTo(b, 4 * 4096, HOST), "b is still in flight");
        final int unmaps = iommu.unmapCallCount();
        holder.release(b);
        assertEquals(unmaps + 1, iommu.unmapCallCount(), "the drained epoch goes with one unmap");
        assertEquals(1, space.epochResetCount());
        assertTrue(iommu.translatesTo(c, 4 * 4096, HOST + 0x100000), "c, in the next epoch, is untouched");
        // B is full; d closes it and a new epoch opens at the top again, where A was.
        final long d = holder.map(HOST + 0x200000, 4096);
        assertEquals(top - 4096, d);
        holder.release(c);
        holder.release(d);
        space.trimTemporary();
        assertEquals(0, iommu.count());
    }

    @Test
    void withAResetExecutorTheDrainedEpochIsResetByItNotByTheReleaserAndStaysOccupiedUntilThen() throws Exception
    {
        final long top = IovaSpace.IOVA_MIN + 16 * 4096;
        final ModelIommu iommu = new ModelIommu(0, top, 1000);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final List<Runnable> tasks = new ArrayList<>();
        space.resetWith(tasks::add);
        runAll(tasks);
        // The lock is held elsewhere (the IOVA mapper at work, a registration): the holder does not wait.
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final Thread other = new Thread(() ->
        {
            space.lock.lock();
            try
            {
                held.countDown();
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                space.lock.unlock();
            }
        });
        other.start();
        held.await();
        assertEquals(IovaSpace.NO_IOVA, holder.map(HOST, 2 * 4096), "no lease yet: bounced at once, nothing waits");
        done.countDown();
        other.join();
        assertEquals(0, iommu.count(), "the holder mapped nothing");
        assertEquals(1, tasks.size(), "it asked the executor for a lease instead");
        runAll(tasks);
        // Epoch A (8 of the 16 free pages) is handed over as one lease: one holder, one lease per epoch.
        final long a = holder.map(HOST, 2 * 4096);
        assertEquals(top - 2 * 4096, a, "in the handed-over lease, at the top");
        runAll(tasks);
        final long b = holder.map(HOST + 0x100000, 2 * 4096);
        runAll(tasks);
        final long c = holder.map(HOST + 0x200000, 2 * 4096);
        runAll(tasks);
        final long d = holder.map(HOST + 0x300000, 2 * 4096);
        assertEquals(top - 8 * 4096, d, "the last pages of A");
        runAll(tasks);
        // A is used up; e comes from epoch B below it, the holder's next lease.
        final long e = holder.map(HOST + 0x400000, 4096);
        assertEquals(top - 9 * 4096, e);
        holder.release(a);
        holder.release(b);
        holder.release(c);
        final int unmaps = iommu.unmapCallCount();
        holder.release(d);
        assertEquals(unmaps, iommu.unmapCallCount(), "the releaser did not unmap");
        assertTrue(iommu.translatesTo(d, 2 * 4096, HOST + 0x300000), "still mapped until the executor runs");
        assertEquals(0, space.epochResetCount());
        runAll(tasks);
        assertEquals(unmaps + 1, iommu.unmapCallCount(), "one unmap, by the executor");
        assertEquals(1, space.epochResetCount());
        assertTrue(iommu.translatesTo(e, 4096, HOST + 0x400000), "e, in the next epoch, is untouched");
        holder.release(e);
        runAll(tasks);
        assertEquals(0, space.temporaryInFlight());
        space.resetWith(null);
        space.trimTemporary();
        assertEquals(0, iommu.count(), "nothing is left mapped");
    }

    @Test
    void aFixedAllocationTakesTheRoomOfAnEpochWhoseResetIsQueuedButHasNotRun()
    {
        final ModelIommu iommu = new ModelIommu(0, 1L << 30, 4);
        final IovaSpace space = new IovaSpace(iommu);
        final TemporaryMappings holder = space.temporaryMappingsFor(1);
        final List<Runnable> tasks = new ArrayList<>();
        space.resetWith(tasks::add);
        runAll(tasks);
        final List<Long> held = new ArrayList<>();
        long iova;
        while ((iova = holder.map(HOST + held.size() * 4096L, 512)) != IovaSpace.NO_IOVA)
        {
            held.add(iova);
            runAll(tasks);
        }
        assertEquals(4, iommu.count(), "the mapping limit is reached");
        held.forEach(holder::release);
        assertFalse(tasks.isEmpty(), "the drained epochs' resets are queued for the executor");
        assertEquals(4, iommu.count(), "and have not run");
        final RegisteredBuffer registration = space.register(HOST + (1L << 40), 4096);
        assertTrue(iommu.translatesTo(registration.iova(), 4096, HOST + (1L << 40)));
        runAll(tasks);
        assertEquals(1, iommu.count(), "the late run unmapped nothing more than the temporary mappings");
        assertTrue(iommu.translatesTo(registration.iova(), 4096, HOST + (1L << 40)));
    }

    /**
     * The same reference checks with three holders (three queue pairs) and a maintenance executor that
     * runs at random moments: leases arrive late or not at all, mappings are refused meanwhile, and yet
     * nothing in use is ever unmapped and nothing leaks.
     */
    @Property(tries = 1000)
    void leasesToSeveralHoldersKeepMappingsInUseAndNeverLeak(
        @ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 48) final int mappingLimit,
        @ForAll @IntRange(min = 8, max = 512) final int pages)
    {
        final ModelIommu iommu = new ModelIommu(0, BASE + (long)pages * ModelIommu.PAGE, mappingLimit);
        final IovaSpace space = new IovaSpace(iommu);
        final List<Runnable> tasks = new ArrayList<>();
        space.resetWith(tasks::add);
        final Random random = new Random(seed);
        final TemporaryMappings[] holders = new TemporaryMappings[3];
        for (int h = 0; h < holders.length; h++)
        {
            holders[h] = space.temporaryMappingsFor(h + 1);
        }
        final List<long[]> leases = new ArrayList<>();      // {iova, length, host, holder}
        final List<long[]> registered = new ArrayList<>();
        long mapped = 0;
        for (int step = 0; step < 300; step++)
        {
            final int op = random.nextInt(10);
            if (op < 5)
            {
                final int h = random.nextInt(holders.length);
                final long host = HOST + (long)random.nextInt(1 << 20) * ModelIommu.PAGE + random.nextInt(ModelIommu.PAGE);
                final long length = 1 + random.nextInt(random.nextBoolean() ? 8192 : 4 * ModelIommu.PAGE * 4);
                final long iova = holders[h].map(host, length);
                if (iova != IovaSpace.NO_IOVA)
                {
                    assertEquals(host & 4095, iova & 4095, "the IOVA keeps the byte's page offset");
                    leases.add(new long[] {iova, length, host, h});
                    mapped++;
                }
            }
            else if (op < 7 && !leases.isEmpty())
            {
                final long[] lease = leases.remove(random.nextInt(leases.size()));
                holders[(int)lease[3]].release(lease[0]);
            }
            else if (op < 9)
            {
                runAll(tasks);
            }
            else if (random.nextBoolean() && registered.size() < 4)
            {
                final long address = HOST + (1L << 40) + (long)registered.size() * 4 * ModelIommu.PAGE;
                try
                {
                    registered.add(new long[] {address, ModelIommu.PAGE, space.register(address, ModelIommu.PAGE).iova()});
                }
                catch (final IovaExhaustedException ex)
                {
                    assertEquals(IovaSpace.NO_IOVA, space.lookup(address, 1));
                }
            }
            else if (!registered.isEmpty())
            {
                final long[] range = registered.remove(registered.size() - 1);
                space.unregister(range[0], range[1], range[2]);
            }
            checkInvariants(iommu, space, leases, registered, random);
        }
        for (final long[] lease : leases)
        {
            holders[(int)lease[3]].release(lease[0]);
        }
        leases.clear();
        runAll(tasks);
        assertEquals(0, space.temporaryInFlight());
        // With nothing in flight, maintenance gives a holder a lease again: a small mapping succeeds
        // after at most two maintenance runs (one to hand a lease over, one to reclaim room for it).
        if (pages >= 16 && mappingLimit > registered.size() + 1)
        {
            long iova = IovaSpace.NO_IOVA;
            for (int attempt = 0; attempt < 3 && iova == IovaSpace.NO_IOVA; attempt++)
            {
                iova = holders[0].map(HOST, 1);
                runAll(tasks);
            }
            assertNotEquals(IovaSpace.NO_IOVA, iova, "no lease with nothing in flight (" + mapped + " mapped before)");
            holders[0].release(iova);
            runAll(tasks);
        }
        space.resetWith(null);
        space.trimTemporary();
        assertEquals(registered.size(), iommu.count(), "after the last release only fixed mappings remain");
    }

    private static void runAll(final List<Runnable> tasks)
    {
        while (!tasks.isEmpty())
        {
            tasks.remove(0).run();
        }
    }

    /**
     * Reset-when-drained under concurrent use: threads map, "DMA" (check their mapping still translates,
     * before and after a pause), and release, in a space so small that epochs close and reset all the time.
     */
    @Test
    void concurrentUseNeverLosesAMappingInFlight() throws Exception
    {
        final ModelIommu iommu = new ModelIommu(0, IovaSpace.IOVA_MIN + 64 * 4096, 24);
        final IovaSpace space = new IovaSpace(iommu);
        // One holder per thread: a holder, like the queue pair that owns it, has one thread.
        final int threads = 4;
        final AtomicLong mapped = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long hostBase = HOST + ((long)t << 32);
                results.add(pool.submit(() ->
                {
                    final TemporaryMappings holder = space.temporaryMappingsFor((int)(hostBase >>> 32));
                    final Random random = new Random(hostBase);
                    final long[] held = new long[3];
                    final long[] hosts = new long[3];
                    final long[] lengths = new long[3];
                    start.await();
                    for (int i = 0; i < 20_000; i++)
                    {
                        final int slot = i % 3;
                        if (held[slot] != 0)
                        {
                            assertTrue(iommu.translatesTo(held[slot], lengths[slot], hosts[slot]),
                                "a mapping in flight was unmapped");
                            holder.release(held[slot]);
                            held[slot] = 0;
                        }
                        hosts[slot] = hostBase + random.nextInt(1 << 16) * 4096L + random.nextInt(4096);
                        lengths[slot] = 1 + random.nextInt(3 * 4096);
                        final long iova = holder.map(hosts[slot], lengths[slot]);
                        if (iova == IovaSpace.NO_IOVA)
                        {
                            refused.incrementAndGet();
                            continue;
                        }
                        mapped.incrementAndGet();
                        held[slot] = iova;
                        assertTrue(iommu.translatesTo(iova, lengths[slot], hosts[slot]));
                    }
                    for (int slot = 0; slot < 3; slot++)
                    {
                        if (held[slot] != 0)
                        {
                            assertTrue(iommu.translatesTo(held[slot], lengths[slot], hosts[slot]));
                            holder.release(held[slot]);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> result : results)
            {
                result.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertEquals(0, space.temporaryInFlight());
        assertTrue(space.epochResetCount() > 100, "epochs were reset while others were in use: " + space.epochResetCount());
        assertTrue(mapped.get() > 10_000, mapped + " mapped, " + refused + " refused");
        space.trimTemporary();
        assertEquals(0, iommu.count());
    }

    private static void checkInvariants(
        final ModelIommu iommu, final IovaSpace space, final List<long[]> leases, final List<long[]> registered,
        final Random random)
    {
        assertTrue(iommu.allWithin(space.min(), space.max()), "a mapping outside the usable range");
        assertEquals(leases.size(), space.temporaryInFlight());
        for (final long[] lease : leases)
        {
            assertTrue(iommu.translatesTo(lease[0], lease[1], lease[2]), "a temporary mapping in use was unmapped");
        }
        for (final long[] range : registered)
        {
            assertTrue(iommu.translatesTo(range[2], range[1], range[0]), "a registered range was unmapped");
            assertEquals(range[2], space.lookup(range[0], range[1]));
        }
        for (int probe = 0; probe < 4 && !registered.isEmpty(); probe++)
        {
            final long[] range = registered.get(random.nextInt(registered.size()));
            final long address = range[0] - 64 + random.nextInt((int)range[1] + 128);
            final long length = 1 + random.nextInt(256);
            assertEquals(referenceLookup(registered, address, length), space.lookup(address, length));
        }
    }

    private static long referenceLookup(final List<long[]> registered, final long address, final long length)
    {
        for (final long[] range : registered)
        {
            if (address >= range[0] && address + length <= range[0] + range[1])
            {
                return range[2] + (address - range[0]);
            }
        }
        return IovaSpace.NO_IOVA;
    }

    private static boolean overlapsAny(final List<long[]> registered, final long address, final long length)
    {
        for (final long[] range : registered)
        {
            if (address < range[0] + range[1] && range[0] < address + length)
            {
                return true;
            }
        }
        return false;
    }

    private static long pagesOf(final long address, final long length)
    {
        return ((address + length + 4095) >>> 12) - (address >>> 12);
    }
}
