package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Write Zeroes, Deallocate and ByteBuffer transfers (heap: bounced; direct: temporarily mapped) through the actors. */
class DataCommandsTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    private static void await(final java.util.concurrent.CompletionStage<Void> stage) throws Exception
    {
        stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void byteBufferTransfersWriteZeroesAndDeallocateRoundTrip() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("DATA-1"));
        final int blockSize = nvmeq.namespace(NSID).blockSize();
        final int blocks = 8;
        final int length = blocks * blockSize;

        // Heap memory (bounced) out through queue 0, direct memory (temporarily mapped) back through queue 1.
        final ByteBuffer heap = ByteBuffer.wrap(pattern(11, length));
        await(nvmeq.queue(0).write(NSID, 0, blocks, heap, false));
        final ByteBuffer direct = ByteBuffer.allocateDirect(length);
        await(nvmeq.queue(1).read(NSID, 0, blocks, direct));
        final byte[] back = new byte[length];
        direct.get(0, back);
        assertArrayEquals(pattern(11, length), back);

        final ByteBuffer directOut = ByteBuffer.allocateDirect(length);
        directOut.put(0, pattern(12, length));
        await(nvmeq.queue(1).write(NSID, blocks, blocks, directOut, true));
        final ByteBuffer heapIn = ByteBuffer.allocate(length);
        await(nvmeq.queue(0).read(NSID, blocks, blocks, heapIn));
        assertArrayEquals(pattern(12, length), heapIn.array());

        // Write Zeroes over the middle of the two ranges; deallocation of the rest is a hint, answered Done.
        await(nvmeq.queue(0).writeZeroes(NSID, blocks / 2, blocks, false, false));
        final DmaBuffer check = nvmeq.allocate(2 * length);
        await(nvmeq.queue(1).read(NSID, 0, 2 * blocks, check, 0));
        final byte[] expected = new byte[2 * length];
        System.arraycopy(pattern(11, length), 0, expected, 0, length / 2);
        System.arraycopy(pattern(12, length), length / 2, expected, length + length / 2, length / 2);
        assertArrayEquals(expected, contents(check, 0, 2 * length));
        await(nvmeq.queue(1).deallocate(NSID, 0, 2L * blocks));

        // Bad input is refused typed before reaching the device.
        final CompletionException past = assertThrows(CompletionException.class, () ->
            nvmeq.queue(0).writeZeroes(NSID, nvmeq.namespace(NSID).blocks(), 1, false, false).toCompletableFuture().join());
        assertInstanceOf(InvalidRequestException.class, past.getCause());
        final CompletionException readOnly = assertThrows(CompletionException.class, () ->
            nvmeq.queue(0).read(NSID, 0, 1, ByteBuffer.allocate(blockSize).asReadOnlyBuffer()).toCompletableFuture().join());
        assertInstanceOf(InvalidRequestException.class, readOnly.getCause());
        assertEquals(0, nvmeq.counters(0).inFlight());
    }
}
