package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The non-actor facade: open, round trips through every queue, typed failures, close. */
class NvmeqFacadeTest
{
    private static final int NSID = 1;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    @Test
    void roundTripThroughEveryQueueAndTheCallersDefaultQueue() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("FACADE-D"));
        assertEquals(2, nvmeq.queuePairs());
        assertEquals("FACADE-D", nvmeq.controller().serial());
        final NamespaceInfo namespace = nvmeq.namespace(NSID);
        final int blockSize = namespace.blockSize();
        final int blocks = 4;
        final int length = blocks * blockSize;

        final List<DmaBuffer> written = new ArrayList<>();
        final List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 16; i++)
        {
            final DmaBuffer buffer = nvmeq.allocate(length);
            buffer.buffer().putBytes(0, pattern(500 + i, length));
            written.add(buffer);
            writes.add(i < 12 ?
                nvmeq.queue(i % 2).write(NSID, (long)i * blocks, blocks, buffer, 0, i % 3 == 0).toCompletableFuture() :
                nvmeq.write(NSID, (long)i * blocks, blocks, buffer, 0, false).toCompletableFuture());
        }
        for (final CompletableFuture<Void> write : writes)
        {
            write.get(10, TimeUnit.SECONDS);
        }
        nvmeq.flush(NSID).toCompletableFuture().get(10, TimeUnit.SECONDS);

        for (int i = 0; i < 16; i++)
        {
            final DmaBuffer back = nvmeq.allocate(length);
            nvmeq.queue((i + 1) % 2).read(NSID, (long)i * blocks, blocks, back, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertArrayEquals(pattern(500 + i, length), contents(back, 0, length), "request " + i);
        }

        final DmaBuffer one = nvmeq.allocate(blockSize);
        final CompletionException failure = assertThrows(CompletionException.class,
            () -> nvmeq.read(NSID, namespace.blocks(), 1, one, 0).toCompletableFuture().join());
        assertInstanceOf(InvalidRequestException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("LBA Out of Range"), failure.getCause().getMessage());
        assertThrows(InvalidRequestException.class, () -> nvmeq.queue(2));
        assertThrows(InvalidRequestException.class, () -> nvmeq.namespace(2));

        final ControllerCommand.Health health = nvmeq.health();
        assertTrue(health.ready() && !health.fatal(), health.toString());
        assertEquals(2, health.queuePairsServing());
        assertEquals(0, health.restarts());
    }

    @Test
    void closeShutsDownAndLaterRequestsFailTyped() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("FACADE-C"));
        final DmaBuffer buffer = nvmeq.allocate(512);
        nvmeq.write(NSID, 0, 1, buffer, 0, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        nvmeq.close();
        assertTrue(nvmeq.system().getWhenTerminated().toCompletableFuture().isDone());
        final CompletionException failure = assertThrows(CompletionException.class,
            () -> nvmeq.read(NSID, 0, 1, buffer, 0).toCompletableFuture().join());
        assertInstanceOf(InvalidRequestException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("closed"), failure.getCause().getMessage());
        nvmeq.close();
    }

    @Test
    void openOfABadDeviceFailsTypedAndLeavesNothingRunning()
    {
        final ControllerUnavailableException failure = assertThrows(ControllerUnavailableException.class,
            () -> Nvmeq.open(TestSupport.settings("x").withDevice("emu:floppy")));
        assertTrue(failure.getMessage().contains("emu:floppy"), failure.getMessage());
    }
}
