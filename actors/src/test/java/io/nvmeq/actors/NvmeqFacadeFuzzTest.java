package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.hw.device.Devices;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The facade under thousands of random calls, most of them invalid (LBAs, counts, namespaces, queue
 * indexes; buffers null, closed, of another controller, read-only, too small, at odd positions), one at
 * a time, from concurrent callers, and after close: every call returns a stage that completes with
 * success (exactly the valid calls) or a typed InvalidRequestException; nothing a call was not allowed
 * to change changed: not a byte of any test buffer outside a read's own range, and not a block of the
 * medium (a model of it is kept and compared at the end).
 */
class NvmeqFacadeFuzzTest
{
    private static final int CAPACITY = 16 << 10;
    private static final int NSID = 1;

    private static Nvmeq nvmeq;
    private static Nvmeq closed;
    private static NvmeController other;
    private static FuzzBuffers buffers;
    private static NamespaceInfo namespace;
    private static byte[] medium;
    /** Blocks whose content the model cannot know (deallocated, or written by concurrent callers). */
    private static final BitSet UNKNOWN = new BitSet();
    private static final AtomicInteger VALID = new AtomicInteger();
    private static final AtomicInteger CALLS = new AtomicInteger();

    @BeforeContainer
    static void start()
    {
        nvmeq = Nvmeq.open(TestSupport.settings("FACADE-FUZZ").withDevice("emu:memory?size=1m&bs=512&mdts=2"));
        other = NvmeController.open(Devices.open("emu:memory?size=1m&bs=512"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(32));
        buffers = new FuzzBuffers(CAPACITY, nvmeq::allocate, other::allocateBuffer, nvmeq::register, new AccessGuard());
        namespace = nvmeq.namespace(NSID);
        medium = new byte[(int)(namespace.blocks() * namespace.blockSize())];
        closed = Nvmeq.open(TestSupport.settings("FACADE-FUZZ-CLOSED").withQueuePairs(1));
        closed.close();
    }

    @AfterContainer
    static void stop() throws Exception
    {
        try
        {
            System.out.println("facade fuzz: " + VALID.get() + " valid of " + CALLS.get() + " calls one at a time");
            assertTrue(VALID.get() > 100, "too few valid calls to show that valid ones are accepted: " + VALID.get());
            // Refused calls changed no block: the whole medium is as the accepted ones left it.
            final int blockSize = namespace.blockSize();
            final ByteBuffer back = ByteBuffer.allocateDirect(64 * blockSize);
            for (long lba = 0; lba < namespace.blocks(); lba += 64)
            {
                back.clear();
                nvmeq.read(NSID, lba, 64, back).toCompletableFuture().get(10, TimeUnit.SECONDS);
                for (int block = 0; block < 64; block++)
                {
                    if (!UNKNOWN.get((int)lba + block))
                    {
                        final byte[] actual = new byte[blockSize];
                        back.get(block * blockSize, actual);
                        final int at = (int)((lba + block) * blockSize);
                        assertArrayEquals(Arrays.copyOfRange(medium, at, at + blockSize), actual, "block " + (lba + block));
                    }
                }
            }
            assertEquals(0, nvmeq.pendingCount(), "requests left pending");
        }
        finally
        {
            nvmeq.close();
            other.close();
            TestSupport.assertBusyPollThreadsEnd("nvmeq");
        }
    }

    @Provide
    Arbitrary<FuzzRequest> calls()
    {
        return FuzzRequest.requests(namespace.blocks(), CAPACITY, true);
    }

    @Property(tries = 2000)
    void oneAtATimeEachCallIsAnsweredTrulyAndChangesOnlyWhatItMay(
        @ForAll("calls") final FuzzRequest call, @ForAll @IntRange(min = -1, max = 2) final int queue) throws Exception
    {
        CALLS.incrementAndGet();
        final boolean valid = call.valid(buffers, namespace.blocks(), namespace.blockSize()) && queue < 2;
        final byte[][] before = buffers.snapshot();
        final byte[] source = valid && !call.kind().reads() && call.kind().moves()
            ? buffers.bytesOf(call, namespace.blockSize()) : null;
        final CompletableFuture<Void> stage;
        try
        {
            stage = send(queue < 0 ? null : nvmeq.queue(queue), call);
        }
        catch (final InvalidRequestException ex)
        {
            assertTrue(queue >= 2, "only a bad queue index is thrown: " + ex);
            return;
        }
        assertEquals(valid, answer(stage, call), call + " on queue " + queue);
        assertEquals("", buffers.changedOutside(before, call, valid, namespace.blockSize()));
        if (valid)
        {
            VALID.incrementAndGet();
            model(call, source);
        }
    }

    @Property(tries = 25)
    void concurrentCallersEachGetTheirOneTrueAnswer(
        @ForAll @Size(min = 4, max = 4) final List<@Size(min = 10, max = 10) List<@From("calls") FuzzRequest>> lanes)
        throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        for (final List<FuzzRequest> lane : lanes)
        {
            for (final FuzzRequest call : lane)
            {
                forget(call);
            }
            final Thread thread = new Thread(() ->
            {
                try
                {
                    for (final FuzzRequest call : lane)
                    {
                        final boolean valid = call.valid(buffers, namespace.blocks(), namespace.blockSize());
                        assertEquals(valid, answer(send(null, call), call), call.toString());
                    }
                }
                catch (final Throwable ex)
                {
                    synchronized (failures)
                    {
                        failures.add(ex);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join(60_000);
        }
        if (!failures.isEmpty())
        {
            fail(failures.get(0));
        }
    }

    @Property(tries = 300)
    void afterCloseEveryCallIsRefusedAtOnce(@ForAll("calls") final FuzzRequest call)
    {
        final CompletableFuture<Void> stage = send(closed.queue(0), call, closed);
        assertTrue(stage.isCompletedExceptionally(), "answered at once: " + call);
        assertEquals(false, answer(stage, call));
        assertEquals(0, closed.pendingCount());
    }

    private static CompletableFuture<Void> send(final NvmeqQueue queue, final FuzzRequest call)
    {
        return send(queue, call, nvmeq);
    }

    /** The call on {@code queue}, or on the caller's default queue when it is null. */
    private static CompletableFuture<Void> send(final NvmeqQueue queue, final FuzzRequest call, final Nvmeq facade)
    {
        final DmaBuffer dma = buffers.dma(call);
        final int n = call.nsid();
        final long lba = call.lba();
        final int blocks = call.blocks();
        return (switch (call.kind())
        {
            case READ_DMA -> queue == null ? facade.read(n, lba, blocks, dma, call.offset())
                : queue.read(n, lba, blocks, dma, call.offset());
            case WRITE_DMA -> queue == null ? facade.write(n, lba, blocks, dma, call.offset(), call.fua())
                : queue.write(n, lba, blocks, dma, call.offset(), call.fua());
            case READ_BYTES -> queue == null ? facade.read(n, lba, blocks, buffers.bytes(call))
                : queue.read(n, lba, blocks, buffers.bytes(call));
            case WRITE_BYTES -> queue == null ? facade.write(n, lba, blocks, buffers.bytes(call), call.fua())
                : queue.write(n, lba, blocks, buffers.bytes(call), call.fua());
            case FLUSH -> queue == null ? facade.flush(n) : queue.flush(n);
            case WRITE_ZEROES -> queue == null ? facade.writeZeroes(n, lba, blocks, call.deallocate(), call.fua())
                : queue.writeZeroes(n, lba, blocks, call.deallocate(), call.fua());
            case DEALLOCATE -> queue == null ? facade.deallocate(n, lba, blocks) : queue.deallocate(n, lba, blocks);
        }).toCompletableFuture();
    }

    /** @return true for success, false for a typed refusal; fails the test for anything else */
    private static boolean answer(final CompletableFuture<Void> stage, final FuzzRequest call)
    {
        try
        {
            stage.get(10, TimeUnit.SECONDS);
            return true;
        }
        catch (final ExecutionException ex)
        {
            assertInstanceOf(InvalidRequestException.class, ex.getCause(), call.toString());
            return false;
        }
        catch (final Exception ex)
        {
            throw new AssertionError("no answer to " + call, ex);
        }
    }

    /** What an accepted call did to the medium, and for a read, that it read the medium. */
    private static void model(final FuzzRequest call, final byte[] source)
    {
        final int blockSize = namespace.blockSize();
        final int at = (int)(call.lba() * blockSize);
        switch (call.kind())
        {
            case WRITE_DMA, WRITE_BYTES ->
            {
                System.arraycopy(source, 0, medium, at, source.length);
                UNKNOWN.clear((int)call.lba(), (int)call.lba() + call.blocks());
            }
            case WRITE_ZEROES ->
            {
                Arrays.fill(medium, at, at + call.blocks() * blockSize, (byte)0);
                UNKNOWN.clear((int)call.lba(), (int)call.lba() + call.blocks());
            }
            case DEALLOCATE -> UNKNOWN.set((int)call.lba(), (int)(call.lba() + call.blocks()));
            case READ_DMA, READ_BYTES ->
            {
                final byte[] read = buffers.bytesOf(call, blockSize);
                for (int block = 0; block < call.blocks(); block++)
                {
                    if (!UNKNOWN.get((int)call.lba() + block))
                    {
                        final int from = block * blockSize;
                        assertArrayEquals(Arrays.copyOfRange(medium, at + from, at + from + blockSize),
                            Arrays.copyOfRange(read, from, from + blockSize), "block " + (call.lba() + block) + " read by " + call);
                    }
                }
            }
            default ->
            {
            }
        }
    }

    /** Concurrent callers may write anything anywhere: what a call could change is no longer known. */
    private static void forget(final FuzzRequest call)
    {
        if (call.kind().reads() || call.kind() == FuzzRequest.Kind.FLUSH || call.lba() < 0 || call.blocks() < 1
            || call.lba() >= namespace.blocks())
        {
            return;
        }
        UNKNOWN.set((int)call.lba(), (int)Math.min(namespace.blocks(), call.lba() + (long)call.blocks()));
    }
}
