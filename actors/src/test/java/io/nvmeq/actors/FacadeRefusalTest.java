package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way to call a facade request method wrongly: answered with a typed InvalidRequestException in
 * the stage (never thrown, never untyped), nothing left pending, nothing changed, and close() is not
 * delayed by any of it.
 */
class FacadeRefusalTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    @Test
    void everyBadCallIsRefusedTypedAndLeavesNothingPending() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("REFUSALS"));
        final long blocks = nvmeq.namespace(NSID).blocks();
        final int block = nvmeq.namespace(NSID).blockSize();
        final DmaBuffer one = nvmeq.allocate(block);
        final DmaBuffer closed = nvmeq.allocate(block);
        closed.close();
        final ByteBuffer heap = ByteBuffer.allocate(block);
        final NvmeqQueue queue = nvmeq.queue(1);

        final List<Supplier<CompletionStage<Void>>> calls = new ArrayList<>();
        // Null buffers, on every entry point.
        calls.add(() -> nvmeq.read(NSID, 0, 1, (DmaBuffer)null, 0));
        calls.add(() -> nvmeq.write(NSID, 0, 1, (DmaBuffer)null, 0, false));
        calls.add(() -> nvmeq.read(NSID, 0, 1, (ByteBuffer)null));
        calls.add(() -> nvmeq.write(NSID, 0, 1, (ByteBuffer)null, true));
        calls.add(() -> queue.read(NSID, 0, 1, (DmaBuffer)null, 0));
        calls.add(() -> queue.write(NSID, 0, 1, (DmaBuffer)null, 0, false));
        calls.add(() -> queue.read(NSID, 0, 1, (ByteBuffer)null));
        calls.add(() -> queue.write(NSID, 0, 1, (ByteBuffer)null, false));
        // Counts, LBAs, namespaces.
        calls.add(() -> nvmeq.read(NSID, 0, 0, one, 0));
        calls.add(() -> nvmeq.read(NSID, 0, -1, one, 0));
        calls.add(() -> nvmeq.read(NSID, -1, 1, one, 0));
        calls.add(() -> nvmeq.read(NSID, blocks, 1, one, 0));
        calls.add(() -> nvmeq.read(NSID, Long.MAX_VALUE, 1, one, 0));
        calls.add(() -> nvmeq.write(0, 0, 1, one, 0, false));
        calls.add(() -> nvmeq.write(-1, 0, 1, one, 0, false));
        calls.add(() -> nvmeq.write(99, 0, 1, one, 0, false));
        calls.add(() -> nvmeq.flush(0));
        calls.add(() -> nvmeq.flush(Integer.MIN_VALUE));
        calls.add(() -> nvmeq.writeZeroes(NSID, 0, 0, false, false));
        calls.add(() -> nvmeq.writeZeroes(NSID, 0, 65537, false, false));
        calls.add(() -> nvmeq.writeZeroes(NSID, blocks - 1, 2, true, false));
        calls.add(() -> nvmeq.deallocate(NSID, 0, 0));
        calls.add(() -> nvmeq.deallocate(NSID, 0, -5));
        calls.add(() -> nvmeq.deallocate(NSID, 1, blocks));
        // Buffers: too small, odd or negative offsets, read-only for a read, closed.
        calls.add(() -> nvmeq.read(NSID, 0, 2, one, 0));
        calls.add(() -> nvmeq.read(NSID, 0, 1, one, 4));
        calls.add(() -> nvmeq.read(NSID, 0, 1, one, -4));
        calls.add(() -> nvmeq.write(NSID, 0, 1, one, 2, false));
        calls.add(() -> nvmeq.write(NSID, 0, 1, one, Integer.MIN_VALUE, false));
        calls.add(() -> nvmeq.read(NSID, 0, 1, heap.asReadOnlyBuffer()));
        calls.add(() -> nvmeq.read(NSID, 0, 2, heap));
        calls.add(() -> nvmeq.write(NSID, 0, 1, heap.duplicate().position(1), false));
        calls.add(() -> nvmeq.write(NSID, 0, 1, closed, 0, false));
        calls.add(() -> nvmeq.read(NSID, 0, 1, closed, 0));

        for (int i = 0; i < calls.size(); i++)
        {
            final CompletableFuture<Void> stage = calls.get(i).get().toCompletableFuture();
            final ExecutionException failure = assertThrows(ExecutionException.class,
                () -> stage.get(10, TimeUnit.SECONDS), "call " + i + " was accepted");
            assertInstanceOf(InvalidRequestException.class, failure.getCause(), "call " + i + ": " + failure.getCause());
        }
        assertEquals(0, nvmeq.pendingCount(), "refusals left requests pending");
        assertThrows(InvalidRequestException.class, () -> nvmeq.queue(-1));
        assertThrows(InvalidRequestException.class, () -> nvmeq.allocate(0));
        assertThrows(InvalidRequestException.class, () -> nvmeq.allocate(-1));
        assertThrows(InvalidRequestException.class, () -> nvmeq.register(null));
        assertThrows(InvalidRequestException.class, () -> nvmeq.register(ByteBuffer.allocate(512)));
        assertThrows(InvalidRequestException.class, () -> nvmeq.unregister(null));
        assertThrows(InvalidRequestException.class, () -> nvmeq.counters(2));
        assertThrows(InvalidRequestException.class, () -> nvmeq.dispatcherFor(-1));
        assertThrows(InvalidRequestException.class, () -> nvmeq.queue(2));

        // Nothing changed: block 0 still reads as zeroes, and the queues still serve.
        final ByteBuffer back = ByteBuffer.allocateDirect(block);
        nvmeq.read(NSID, 0, 1, back).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < block; i++)
        {
            assertEquals(0, back.get(i), "byte " + i);
        }
        final ControllerCommand.Health health = nvmeq.health();
        assertEquals(0, health.restarts(), "a refusal restarted a queue pair");
    }

    @Test
    void afterCloseEveryRequestIsRefusedAtOnce() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("REFUSED-CLOSED"));
        final DmaBuffer one = nvmeq.allocate(512);
        nvmeq.close();
        final CompletableFuture<Void> stage = nvmeq.queue(0).write(NSID, 0, 1, one, 0, false).toCompletableFuture();
        assertTrue(stage.isCompletedExceptionally(), "answered at once, not after a timeout");
        final CompletionException failure = assertThrows(CompletionException.class, stage::join);
        assertInstanceOf(InvalidRequestException.class, failure.getCause());
        assertEquals(0, nvmeq.pendingCount());
        assertThrows(ControllerUnavailableException.class, () -> nvmeq.allocate(512));
    }
}
