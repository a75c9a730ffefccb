package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain-thread fast path: a queue pair owned by the calling thread, blocking and polled stages. */
class ThreadQueueTest
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;

    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    @Test
    void blockingWritesAndReadsAreVerifiedOnTheMediumThroughTheActorPathToo() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-RW"));
        assertTrue(nvmeq.threadQueueCapacity() > 0, "the controller lends no queue pair to threads");
        final int blocks = 4;
        final int length = blocks * BLOCK;
        final DmaBuffer out = nvmeq.allocate(length * 8);
        final DmaBuffer in = nvmeq.allocate(length);
        try (NvmeqThreadQueue queue = nvmeq.threadQueue())
        {
            assertTrue(queue.queueId() > nvmeq.queuePairs(), "a thread queue must not take an actor's queue id");
            for (int i = 0; i < 8; i++)
            {
                out.buffer().putBytes(i * length, pattern(70 + i, length));
                queue.write(NSID, (long)i * blocks, blocks, out, i * length, i % 2 == 0);
            }
            queue.flush(NSID);
            for (int i = 0; i < 8; i++)
            {
                queue.read(NSID, (long)i * blocks, blocks, in, 0);
                assertArrayEquals(pattern(70 + i, length), contents(in, 0, length), "block range " + i);
            }
            // ByteBuffers take their paths: heap memory is bounced, direct memory mapped for the request.
            final ByteBuffer heap = ByteBuffer.wrap(pattern(99, length));
            queue.write(NSID, 100, blocks, heap, false);
            final ByteBuffer direct = ByteBuffer.allocateDirect(length);
            queue.read(NSID, 100, blocks, direct);
            final byte[] back = new byte[length];
            direct.get(back);
            assertArrayEquals(pattern(99, length), back);
            queue.writeZeroes(NSID, 0, blocks, false, false);
            queue.deallocate(NSID, 200, 8);
        }
        // What the thread queue wrote, the actor path reads: one medium.
        nvmeq.queue(0).read(NSID, 0, blocks, in, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertArrayEquals(new byte[length], contents(in, 0, length));
        nvmeq.queue(1).read(NSID, blocks, blocks, in, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertArrayEquals(pattern(71, length), contents(in, 0, length));
    }

    @Test
    void badRequestsAreRefusedTypedAndTheQueueStaysUsable()
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-BAD"));
        final NamespaceInfo namespace = nvmeq.namespace(NSID);
        final DmaBuffer buffer = nvmeq.allocate(BLOCK);
        try (NvmeqThreadQueue queue = nvmeq.threadQueue();
             Nvmeq other = Nvmeq.open(TestSupport.settings("THREADQ-OTHER")))
        {
            final InvalidRequestException past = assertThrows(InvalidRequestException.class,
                () -> queue.read(NSID, namespace.blocks(), 1, buffer, 0));
            assertTrue(past.getMessage().contains("LBA Out of Range"), past.getMessage());
            assertThrows(InvalidRequestException.class, () -> queue.read(NSID, 0, 2, buffer, 0));
            assertThrows(InvalidRequestException.class, () -> queue.read(NSID, 0, 1, (DmaBuffer)null, 0));
            assertThrows(InvalidRequestException.class, () -> queue.read(7, 0, 1, buffer, 0));
            final DmaBuffer foreign = other.allocate(BLOCK);
            assertThrows(InvalidRequestException.class, () -> queue.read(NSID, 0, 1, foreign, 0));
            final DmaBuffer closed = nvmeq.allocate(BLOCK);
            closed.close();
            assertThrows(InvalidRequestException.class, () -> queue.write(NSID, 0, 1, closed, 0, false));
            // Refused requests left nothing behind.
            buffer.buffer().putBytes(0, pattern(5, BLOCK));
            queue.write(NSID, 3, 1, buffer, 0, false);
            buffer.buffer().setMemory(0, BLOCK, (byte)0);
            queue.read(NSID, 3, 1, buffer, 0);
            assertArrayEquals(pattern(5, BLOCK), contents(buffer, 0, BLOCK));
        }
    }

    @Test
    void manyThreadsEachWithTheirOwnQueue() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-MANY"));
        final int threads = Math.min(6, nvmeq.threadQueueCapacity());
        final int rounds = 200;
        final List<CompletableFuture<Integer>> queueIds = new ArrayList<>();
        final List<Thread> workers = new ArrayList<>();
        // All queues stay open until every thread is done: a closed queue's id may be lent again.
        final CountDownLatch allDone = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            final CompletableFuture<Integer> result = new CompletableFuture<>();
            queueIds.add(result);
            workers.add(new Thread(() ->
            {
                try (NvmeqThreadQueue queue = nvmeq.threadQueue())
                {
                    final DmaBuffer out = nvmeq.allocate(BLOCK);
                    final DmaBuffer in = nvmeq.allocate(BLOCK);
                    for (int i = 0; i < rounds; i++)
                    {
                        final long lba = (long)thread * rounds + i;
                        out.buffer().putBytes(0, pattern(lba, BLOCK));
                        queue.write(NSID, lba, 1, out, 0, false);
                        queue.read(NSID, lba, 1, in, 0);
                        if (!Arrays.equals(pattern(lba, BLOCK), contents(in, 0, BLOCK)))
                        {
                            throw new AssertionError("thread " + thread + " read back other data at LBA " + lba);
                        }
                    }
                    allDone.countDown();
                    if (!allDone.await(60, TimeUnit.SECONDS))
                    {
                        throw new AssertionError("the other threads did not finish");
                    }
                    result.complete(queue.queueId());
                }
                catch (final Throwable ex)
                {
                    result.completeExceptionally(ex);
                }
            }, "thread-queue-" + t));
        }
        workers.forEach(Thread::start);
        final Set<Integer> distinct = new HashSet<>();
        for (final CompletableFuture<Integer> id : queueIds)
        {
            distinct.add(id.get(60, TimeUnit.SECONDS));
        }
        assertEquals(threads, distinct.size(), "each thread has a queue of its own: " + distinct);
        // Every one was closed: as many can be opened again.
        final NvmeqThreadQueue again = nvmeq.threadQueue();
        again.close();
    }

    @Test
    void anotherThreadIsRefusedTypedAndSendsNothing() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-OWNER"));
        final DmaBuffer buffer = nvmeq.allocate(BLOCK);
        try (NvmeqThreadQueue queue = nvmeq.threadQueue())
        {
            buffer.buffer().putBytes(0, pattern(1, BLOCK));
            queue.write(NSID, 9, 1, buffer, 0, false);
            final DmaBuffer intruder = nvmeq.allocate(BLOCK);
            intruder.buffer().putBytes(0, pattern(2, BLOCK));
            final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            final CompletableFuture<Throwable> staged = new CompletableFuture<>();
            final Thread other = new Thread(() ->
            {
                try
                {
                    queue.write(NSID, 9, 1, intruder, 0, false);
                    thrown.complete(null);
                }
                catch (final Throwable ex)
                {
                    thrown.complete(ex);
                }
                queue.writeAsync(NSID, 9, 1, intruder, 0, false).whenComplete((ok, error) -> staged.complete(error));
            }, "not-the-owner");
            other.start();
            other.join(10_000);
            assertInstanceOf(NotQueueOwnerException.class, thrown.get(10, TimeUnit.SECONDS));
            assertInstanceOf(NotQueueOwnerException.class, staged.get(10, TimeUnit.SECONDS));
            queue.read(NSID, 9, 1, buffer, 0);
            assertArrayEquals(pattern(1, BLOCK), contents(buffer, 0, BLOCK), "the refused write changed the medium");
        }
    }

    @Test
    void stagesAreCompletedByTheOwnersPollsAndJoins() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-ASYNC"));
        final int depth = 8;
        final DmaBuffer out = nvmeq.allocate(depth * BLOCK);
        final DmaBuffer in = nvmeq.allocate(depth * BLOCK);
        try (NvmeqThreadQueue queue = nvmeq.threadQueue())
        {
            final List<CompletionStage<Void>> writes = new ArrayList<>();
            for (int i = 0; i < depth; i++)
            {
                out.buffer().putBytes(i * BLOCK, pattern(300 + i, BLOCK));
                writes.add(queue.writeAsync(NSID, 40 + i, 1, out, i * BLOCK, false));
            }
            for (final CompletionStage<Void> write : writes)
            {
                write.toCompletableFuture().join();
            }
            // A derived stage polls too: nothing else would ever reap it.
            final CompletableFuture<Integer> derived =
                queue.readAsync(NSID, 40, depth, in, 0).thenApply(ignored -> 17).toCompletableFuture();
            assertEquals(17, derived.get(10, TimeUnit.SECONDS));
            assertArrayEquals(pattern(300 + depth - 1, BLOCK), contents(in, (depth - 1) * BLOCK, BLOCK));
            // poll() reaps for callbacks.
            final CompletionStage<Void> read = queue.readAsync(NSID, 41, 1, in, 0);
            while (!read.toCompletableFuture().isDone())
            {
                queue.poll();
            }
            assertArrayEquals(pattern(301, BLOCK), contents(in, 0, BLOCK));
            // A device error completes the stage typed.
            final CompletionException failure = assertThrows(CompletionException.class,
                () -> queue.readAsync(NSID, 0, 2, in, depth * BLOCK - BLOCK).toCompletableFuture().join());
            assertInstanceOf(InvalidRequestException.class, failure.getCause());
        }
    }

    @Test
    void aCallbackMaySubmitButNotBlockPollOrClose() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-CALLBACK"));
        final DmaBuffer buffer = nvmeq.allocate(2 * BLOCK);
        try (NvmeqThreadQueue queue = nvmeq.threadQueue())
        {
            buffer.buffer().putBytes(0, pattern(11, BLOCK));
            final CompletableFuture<Void> second = new CompletableFuture<>();
            final List<Class<?>> refused = new ArrayList<>();
            queue.writeAsync(NSID, 20, 1, buffer, 0, false).thenAccept(ignored ->
            {
                for (final Runnable forbidden : List.<Runnable>of(
                    () -> queue.read(NSID, 20, 1, buffer, BLOCK), queue::poll, queue::close))
                {
                    try
                    {
                        forbidden.run();
                    }
                    catch (final InvalidRequestException ex)
                    {
                        refused.add(ex.getClass());
                    }
                }
                queue.readAsync(NSID, 20, 1, buffer, BLOCK).whenComplete((ok, error) ->
                {
                    if (error == null)
                    {
                        second.complete(null);
                    }
                    else
                    {
                        second.completeExceptionally(error);
                    }
                });
            }).toCompletableFuture().join();
            assertEquals(3, refused.size(), "blocking, polling and closing from a callback must be refused: " + refused);
            assertFalse(queue.isClosed());
            // A plain future is not polled by its waiter: this thread reaps for it.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!second.isDone() && System.nanoTime() < deadline)
            {
                queue.poll();
            }
            second.get(1, TimeUnit.SECONDS);
            assertArrayEquals(pattern(11, BLOCK), contents(buffer, BLOCK, BLOCK));
        }
    }

    @Test
    void closeAnswersWhatIsInFlightAndRefusesWhatComesAfter() throws Exception
    {
        nvmeq = Nvmeq.open(TestSupport.settings("THREADQ-CLOSE").withDevice(
            "emu:memory?size=4m&bs=512&serial=THREADQ-CLOSE&latency=read:300ms"));
        final DmaBuffer buffer = nvmeq.allocate(BLOCK);
        final CompletableFuture<NvmeqThreadQueue> opened = new CompletableFuture<>();
        final CompletableFuture<Throwable> blocking = new CompletableFuture<>();
        final CompletableFuture<Throwable> after = new CompletableFuture<>();
        final Thread owner = new Thread(() ->
        {
            try
            {
                final NvmeqThreadQueue queue = nvmeq.threadQueue();
                opened.complete(queue);
                try
                {
                    queue.read(NSID, 0, 1, buffer, 0);
                    blocking.complete(null);
                }
                catch (final Throwable ex)
                {
                    blocking.complete(ex);
                }
                try
                {
                    queue.read(NSID, 0, 1, buffer, 0);
                    after.complete(null);
                }
                catch (final Throwable ex)
                {
                    after.complete(ex);
                }
            }
            catch (final Throwable ex)
            {
                opened.completeExceptionally(ex);
            }
        }, "closing-owner");
        owner.start();
        final NvmeqThreadQueue queue = opened.get(10, TimeUnit.SECONDS);
        Thread.sleep(50); // the owner is (most likely) inside its read now; either way the answers must be true
        queue.close();
        assertTrue(queue.isClosed());
        // The read in flight was answered by its completion; the one after the close was refused.
        assertEquals(null, blocking.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ControllerUnavailableException.class, after.get(10, TimeUnit.SECONDS));
        owner.join(10_000);
        assertFalse(owner.isAlive());
        // Its queue id was given back: every queue the controller lends can be opened again.
        final List<NvmeqThreadQueue> all = new ArrayList<>();
        for (int i = 0; i < nvmeq.threadQueueCapacity(); i++)
        {
            all.add(nvmeq.threadQueue());
        }
        assertThrows(InvalidRequestException.class, () -> nvmeq.threadQueue());
        all.forEach(NvmeqThreadQueue::close);
    }
}
