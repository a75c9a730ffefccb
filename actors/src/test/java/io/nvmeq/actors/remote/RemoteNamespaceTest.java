package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.LocalOnlyException;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server JVM serving an emulated controller on loopback, and this JVM as its client: data written
 * remotely reads back byte for byte, transfers larger than a message are split and reassembled, errors
 * come back typed, and a read-only server refuses writes.
 */
class RemoteNamespaceTest
{
    private static final Path LOGS = Path.of("target", "remote-logs");

    private static ServerProcess server;
    private static ServerProcess readOnlyServer;
    /** A second server in the first one's cluster, serving a controller of its own. */
    private static ServerProcess joiningServer;
    private static int port;
    private static int readOnlyPort;

    @BeforeAll
    static void startServers() throws Exception
    {
        port = ServerProcess.freePort();
        server = ServerProcess.start("emu:memory?size=8m&serial=REMOTE%2DRW", port, "", false, List.of(),
            LOGS.resolve("namespace-rw.log"));
        readOnlyPort = ServerProcess.freePort();
        readOnlyServer = ServerProcess.start("emu:memory?size=8m&serial=REMOTE%2DRO", readOnlyPort, "", true, List.of(),
            LOGS.resolve("namespace-ro.log"));
        server.awaitServing(60);
        joiningServer = ServerProcess.start("emu:memory?size=8m&serial=REMOTE%2DJOINED", ServerProcess.freePort(),
            "127.0.0.1:" + port, false, List.of(), LOGS.resolve("namespace-joined.log"));
        readOnlyServer.awaitServing(60);
        joiningServer.awaitServing(60);
    }

    @AfterAll
    static void stopServers() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        if (readOnlyServer != null)
        {
            readOnlyServer.close();
        }
        if (joiningServer != null)
        {
            joiningServer.close();
        }
    }

    static Config clientConfig(final String extra)
    {
        return ConfigFactory.parseString("nvmeq.remote.request-timeout = 10s\n" + extra).withFallback(ConfigFactory.load());
    }

    static <T> T join(final CompletionStage<T> stage)
    {
        return stage.toCompletableFuture().join();
    }

    static Throwable failure(final CompletionStage<?> stage)
    {
        final CompletionException ex = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
        return ex.getCause();
    }

    @Test
    void writtenDataReadsBackAcrossJvmsIncludingSplitTransfers()
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/REMOTE-RW/1", clientConfig("")))
        {
            assertEquals("REMOTE-RW", remote.controller().serial().trim());
            assertEquals(512, remote.namespace().blockSize());
            assertEquals(8 * 1024 * 1024 / 512, remote.namespace().blocks());
            final Random random = new Random(15);
            // 300 KiB: three parts at the default 128 KiB per message, over Artery's 256 KiB frame.
            final byte[] pattern = new byte[300 * 1024];
            random.nextBytes(pattern);
            final int blocks = pattern.length / 512;
            join(remote.write(1, 100, blocks, ByteBuffer.wrap(pattern), true));
            join(remote.flush(1));
            final ByteBuffer back = ByteBuffer.allocateDirect(pattern.length + 512).position(512);
            join(remote.read(1, 100, blocks, back));
            assertEquals(512, back.position(), "the position is left as it was");
            final byte[] read = new byte[pattern.length];
            back.get(512, read);
            assertArrayEquals(pattern, read);

            join(remote.writeZeroes(1, 100, 8, false, false));
            final ByteBuffer zeroes = ByteBuffer.allocate(8 * 512);
            join(remote.read(1, 100, 8, zeroes));
            assertArrayEquals(new byte[8 * 512], zeroes.array());
            join(remote.deallocate(1, 200, 16));

            assertInstanceOf(InvalidRequestException.class, failure(remote.read(1, remote.namespace().blocks(), 1,
                ByteBuffer.allocate(512))), "past the end: refused by the server");
            assertInstanceOf(InvalidRequestException.class, failure(remote.read(2, 0, 1, ByteBuffer.allocate(512))),
                "another namespace than the URI's: refused here");
            assertInstanceOf(InvalidRequestException.class, failure(remote.write(1, 0, 2, ByteBuffer.allocate(512), false)),
                "a buffer too small: refused here");
            assertEquals(0, remote.outstanding());
            assertEquals(0, remote.lateReplies());
        }
    }

    /**
     * The facade opened on a remote:// URI: the requests of a local facade work with the same answers, the calls
     * that need a controller in this JVM are refused typed, and close answers what was sent before it.
     */
    @Test
    void theFacadeServesARemoteNamespaceAndRefusesWhatOnlyALocalControllerHas()
    {
        final String uri = "remote://127.0.0.1:" + port + "/REMOTE-RW/1";
        final Nvmeq nvmeq = Nvmeq.open(NvmeqSettings.load().withDevice(uri), clientConfig(""));
        final CompletionStage<Void> lastWrite;
        try
        {
            assertEquals("REMOTE-RW", nvmeq.controller().serial().trim());
            assertEquals(List.of(1), nvmeq.namespaces().stream().map(NamespaceInfo::nsid).toList());
            assertTrue(nvmeq.remote().isPresent());
            assertEquals(1, nvmeq.queuePairs());
            final int block = nvmeq.namespace(1).blockSize();
            final byte[] pattern = new byte[32 * block];
            new Random(1515).nextBytes(pattern);
            join(nvmeq.write(1, 3000, 32, ByteBuffer.wrap(pattern), true));
            join(nvmeq.flush(1));
            final ByteBuffer back = ByteBuffer.allocateDirect(pattern.length);
            join(nvmeq.queue(0).read(1, 3000, 32, back));
            final byte[] read = new byte[pattern.length];
            back.get(0, read);
            assertArrayEquals(pattern, read);

            join(nvmeq.writeZeroes(1, 3000, 8, false, false));
            join(nvmeq.deallocate(1, 3008, 8));
            final ByteBuffer zeroes = ByteBuffer.allocate(8 * block);
            join(nvmeq.read(1, 3000, 8, zeroes));
            assertArrayEquals(new byte[8 * block], zeroes.array());

            assertInstanceOf(InvalidRequestException.class, failure(nvmeq.read(1, nvmeq.namespace(1).blocks(), 1,
                ByteBuffer.allocate(block))), "past the end: refused by the server");
            assertInstanceOf(InvalidRequestException.class, failure(nvmeq.flush(2)), "another namespace than the URI's");
            assertThrows(InvalidRequestException.class, () -> nvmeq.queue(1));

            final Throwable dma = failure(nvmeq.read(1, 0, 1, (DmaBuffer)null, 0));
            assertInstanceOf(LocalOnlyException.class, dma);
            assertTrue(dma.getMessage().contains(uri) && dma.getMessage().contains("ByteBuffer"), dma.getMessage());
            final LocalOnlyException refused = assertThrows(LocalOnlyException.class, nvmeq::queuePairRefs);
            assertTrue(refused.getMessage().contains("served over the network") &&
                refused.getMessage().contains("queue(0)"), refused.getMessage());
            assertThrows(LocalOnlyException.class, () -> nvmeq.allocate(block));
            assertThrows(LocalOnlyException.class, nvmeq::threadQueue);
            assertEquals(0, nvmeq.threadQueueCapacity());

            // Sent before close: close waits for its answer rather than cutting it off.
            lastWrite = nvmeq.write(1, 4000, 32, ByteBuffer.wrap(pattern), false);
        }
        finally
        {
            nvmeq.close();
        }
        join(lastWrite);
        assertInstanceOf(RemoteUnavailableException.class, failure(nvmeq.read(1, 0, 1, ByteBuffer.allocate(512))),
            "after close: refused, not sent");
        nvmeq.close();
    }

    @Test
    void oneClientReachesTwoServersOfOneClusterThroughEitherMember()
    {
        // Both URIs name the first server's address: the second's namespace is found through the Receptionist.
        try (RemoteNvmeq first = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/REMOTE-RW/1", clientConfig(""));
             RemoteNvmeq second = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/REMOTE-JOINED/1", clientConfig("")))
        {
            assertEquals("REMOTE-JOINED", second.controller().serial().trim());
            final byte[] a = new byte[4096];
            final byte[] b = new byte[4096];
            new Random(1).nextBytes(a);
            new Random(2).nextBytes(b);
            join(first.write(1, 5000, 8, ByteBuffer.wrap(a), false));
            join(second.write(1, 5000, 8, ByteBuffer.wrap(b), false));
            final ByteBuffer fromFirst = ByteBuffer.allocate(4096);
            final ByteBuffer fromSecond = ByteBuffer.allocate(4096);
            join(first.read(1, 5000, 8, fromFirst));
            join(second.read(1, 5000, 8, fromSecond));
            assertArrayEquals(a, fromFirst.array(), "each server keeps its own data");
            assertArrayEquals(b, fromSecond.array());
        }
    }

    @Test
    void aReadOnlyServerRefusesWritesAndServesReads()
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + readOnlyPort + "/REMOTE-RO/1", clientConfig("")))
        {
            assertTrue(remote.readOnly());
            final Throwable refused = failure(remote.write(1, 0, 1, ByteBuffer.allocate(512), false));
            assertInstanceOf(InvalidRequestException.class, refused);
            assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
            assertInstanceOf(InvalidRequestException.class, failure(remote.writeZeroes(1, 0, 1, false, false)));
            assertInstanceOf(InvalidRequestException.class, failure(remote.deallocate(1, 0, 1)));
            join(remote.read(1, 0, 8, ByteBuffer.allocate(8 * 512)));
            join(remote.flush(1));
        }
    }

    /**
     * A caller's stage runs on the client node's one actor thread; one that blocks it, waiting for another
     * request of the same client (whose answer that thread would deliver), must still see that request
     * answered by its deadline (the sweep has a thread of its own), not hang.
     */
    @Test
    void aStageBlockingTheClientThreadStillSeesItsNextRequestAnsweredByTheDeadline() throws Exception
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/REMOTE-RW/1",
            clientConfig("nvmeq.remote.request-timeout = 1s\n")))
        {
            final int block = remote.namespace().blockSize();
            final CompletableFuture<Throwable> inner = new CompletableFuture<>();
            remote.read(1, 0, 1, ByteBuffer.allocate(block)).whenComplete((ignored, error) ->
            {
                // A plain blocking wait (as a sleep or blocking I/O would be): not a ForkJoinPool managed block,
                // so the pool adds no thread to make up for it.
                final CompletableFuture<Void> next =
                    remote.read(1, 1, 1, ByteBuffer.allocate(block)).toCompletableFuture();
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (!next.isDone() && System.nanoTime() < until)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                next.whenComplete((done, failure) -> inner.complete(failure));
                if (!next.isDone())
                {
                    inner.complete(new TimeoutException("the next request got no answer in 15 s"));
                }
            });
            final Throwable answer = inner.get(30, TimeUnit.SECONDS);
            final Throwable cause = answer instanceof CompletionException ? answer.getCause() : answer;
            assertInstanceOf(RemoteOutcomeUnknownException.class, cause, String.valueOf(answer));
        }
    }
}
