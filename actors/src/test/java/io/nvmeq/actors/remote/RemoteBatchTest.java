package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

import akka.actor.typed.javadsl.Adapter;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests made at one time travel as one batch, and each is still answered once and truly: a batch whose
 * requests are partly refused (a range past the end, no DMA buffer free) answers every request with its own
 * outcome, the writes of a batch reach the device in the order they were made, and a write larger than a
 * message is split across batches and reassembled. The second server has the smallest DMA pool (one
 * message's worth): a burst of reads larger than it gets typed refusals for what does not fit, nothing is
 * lost, and the whole pool is free again afterwards.
 */
class RemoteBatchTest
{
    private static final Path LOGS = Path.of("target", "remote-logs");
    private static final int BLOCK = 512;

    private static ServerProcess server;
    private static ServerProcess smallPoolServer;
    private static int port;
    private static int smallPoolPort;

    @BeforeAll
    static void startServers() throws Exception
    {
        port = ServerProcess.freePort();
        server = ServerProcess.start("emu:memory?size=8m&serial=BATCH%2DRW", port, "", false, List.of(),
            LOGS.resolve("batch-rw.log"));
        smallPoolPort = ServerProcess.freePort();
        smallPoolServer = ServerProcess.start("emu:memory?size=8m&serial=BATCH%2DPOOL", smallPoolPort, "", false,
            List.of("-Dnvmeq.remote.server-buffer-bytes=4k"), LOGS.resolve("batch-pool.log"));
        server.awaitServing(60);
        smallPoolServer.awaitServing(60);
    }

    @AfterAll
    static void stopServers() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        if (smallPoolServer != null)
        {
            smallPoolServer.close();
        }
    }

    private static RemoteRequests requests(final RemoteNvmeq remote)
    {
        return RemoteEndpoint.get(Adapter.toClassic(remote.system())).requests();
    }

    /**
     * Makes the requests of {@code burst} on the client node's thread (inside the answer of a first read), so that
     * they are all ready before the node sends any: one drain, as at depth. Waits for every answer.
     */
    private static List<CompletableFuture<Void>> burst(final RemoteNvmeq remote,
        final List<Supplier<CompletionStage<Void>>> burst) throws Exception
    {
        final CompletableFuture<List<CompletableFuture<Void>>> made = new CompletableFuture<>();
        remote.read(1, 0, 1, ByteBuffer.allocate(BLOCK)).whenComplete((ignored, error) ->
        {
            final List<CompletableFuture<Void>> stages = new ArrayList<>();
            for (final Supplier<CompletionStage<Void>> request : burst)
            {
                stages.add(request.get().toCompletableFuture());
            }
            made.complete(stages);
        });
        final List<CompletableFuture<Void>> stages = made.get(30, TimeUnit.SECONDS);
        CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).handle((ok, error) -> null).get(30, TimeUnit.SECONDS);
        return stages;
    }

    private static Throwable failure(final CompletableFuture<Void> stage)
    {
        try
        {
            stage.join();
            return null;
        }
        catch (final CompletionException ex)
        {
            return ex.getCause();
        }
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] data = new byte[length];
        Arrays.fill(data, (byte)value);
        return data;
    }

    @Test
    void aPartlyRefusedBatchAnswersEachRequestOnceInOrderWithASplitWriteAmongThem() throws Exception
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/BATCH-RW/1",
            RemoteNamespaceTest.clientConfig("")))
        {
            final long pastTheEnd = remote.namespace().blocks();
            final byte[] big = new byte[300 * 1024];
            for (int i = 0; i < big.length; i++)
            {
                big[i] = (byte)(i / BLOCK * 7 + i);
            }
            final AtomicIntegerArray answers = new AtomicIntegerArray(24);
            final List<Supplier<CompletionStage<Void>>> requests = new ArrayList<>();
            // 0..15: sixteen writes of one block at LBA 50, each filled with its index: the last must win.
            for (int i = 0; i < 16; i++)
            {
                final int value = i;
                requests.add(() -> remote.write(1, 50, 1, ByteBuffer.wrap(filled(BLOCK, value)), false));
            }
            requests.add(() -> remote.read(1, pastTheEnd, 1, ByteBuffer.allocate(BLOCK)));          // 16: refused
            requests.add(() -> remote.write(1, 1000, big.length / BLOCK, ByteBuffer.wrap(big), true));  // 17: split
            requests.add(() -> remote.read(1, 50, 1, ByteBuffer.allocate(BLOCK)));                  // 18: after the writes
            requests.add(() -> remote.writeZeroes(1, pastTheEnd - 1, 2, false, false));             // 19: refused
            requests.add(() -> remote.flush(1));                                                    // 20
            final long messagesBefore = requests(remote).messagesSent();
            final long sentBefore = requests(remote).requestsSent();
            final List<CompletableFuture<Void>> stages = burst(remote, requests);
            for (int i = 0; i < stages.size(); i++)
            {
                final int index = i;
                stages.get(i).whenComplete((ignored, error) -> answers.incrementAndGet(index));
            }

            for (int i = 0; i < 16; i++)
            {
                assertNull(failure(stages.get(i)), "write " + i);
            }
            assertInstanceOf(InvalidRequestException.class, failure(stages.get(16)), "past the end, refused alone");
            assertNull(failure(stages.get(17)), "the split write");
            assertNull(failure(stages.get(18)));
            assertInstanceOf(InvalidRequestException.class, failure(stages.get(19)));
            assertNull(failure(stages.get(20)));
            for (int i = 0; i < stages.size(); i++)
            {
                assertEquals(1, answers.get(i), "request " + i + " answered once");
            }
            final long sent = requests(remote).requestsSent() - sentBefore;
            final long messages = requests(remote).messagesSent() - messagesBefore;
            assertEquals(1 + 16 + 1 + 3 + 1 + 1 + 1, sent,
                "every part sent once (the read that starts the burst, then the burst with the big write as three)");
            assertTrue(messages < sent / 2, messages + " messages carried " + sent + " requests: they went in batches");

            final ByteBuffer last = ByteBuffer.allocate(BLOCK);
            remote.read(1, 50, 1, last).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertArrayEquals(filled(BLOCK, 15), last.array(), "the writes reached the device in the order they were made");
            final ByteBuffer back = ByteBuffer.allocateDirect(big.length);
            remote.read(1, 1000, big.length / BLOCK, back).toCompletableFuture().get(30, TimeUnit.SECONDS);
            final byte[] read = new byte[big.length];
            back.get(0, read);
            assertArrayEquals(big, read, "the split write, reassembled on the device");
            assertEquals(0, remote.outstanding());
            assertEquals(0, remote.lateReplies());
        }
    }

    @Test
    void aQueuesWorthOfFourKibReadsGoesInOneMessage() throws Exception
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + port + "/BATCH-RW/1",
            RemoteNamespaceTest.clientConfig("")))
        {
            // 32 reads of 4 KiB are the default max-message-bytes (128 KiB) of data exactly; their fields come on top.
            final int reads = 32;
            final List<Supplier<CompletionStage<Void>>> requests = new ArrayList<>();
            for (int i = 0; i < reads; i++)
            {
                final long lba = i * 8L;
                requests.add(() -> remote.read(1, lba, 8, ByteBuffer.allocate(4096)));
            }
            final long messagesBefore = requests(remote).messagesSent();
            final long sentBefore = requests(remote).requestsSent();
            final List<CompletableFuture<Void>> stages = burst(remote, requests);
            for (final CompletableFuture<Void> stage : stages)
            {
                assertNull(failure(stage));
            }
            assertEquals(1 + reads, requests(remote).requestsSent() - sentBefore);
            assertEquals(2, requests(remote).messagesSent() - messagesBefore,
                "the read that starts the burst, then one batch");
            assertEquals(0, remote.outstanding());
        }
    }

    @Test
    void anExhaustedDmaPoolRefusesWhatDoesNotFitTypedAndLosesNothing() throws Exception
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + smallPoolPort + "/BATCH-POOL/1",
            RemoteNamespaceTest.clientConfig("")))
        {
            // The pool holds one message's data (128 KiB, 32 pages): 64 reads of 4 KiB in one batch cannot all fit.
            final int reads = 64;
            final List<Supplier<CompletionStage<Void>>> requests = new ArrayList<>();
            for (int i = 0; i < reads; i++)
            {
                final long lba = i * 8L;
                requests.add(() -> remote.read(1, lba, 8, ByteBuffer.allocate(4096)));
            }
            final List<CompletableFuture<Void>> stages = burst(remote, requests);
            int refused = 0;
            for (final CompletableFuture<Void> stage : stages)
            {
                final Throwable error = failure(stage);
                if (error != null)
                {
                    assertInstanceOf(RemoteUnavailableException.class, error, "refused, nothing sent: " + error);
                    assertTrue(error.getMessage().contains("no DMA buffer"), error.getMessage());
                    refused++;
                }
            }
            assertTrue(refused > 0 && refused < reads, refused + " of " + reads + " refused");
            assertEquals(0, remote.outstanding(), "nothing lost");

            // Every page went back: a read of the whole pool's size (32 pages in one run) fits again.
            final ByteBuffer whole = ByteBuffer.allocate(128 * 1024);
            remote.read(1, 0, whole.capacity() / BLOCK, whole).toCompletableFuture().get(30, TimeUnit.SECONDS);
            remote.write(1, 0, whole.capacity() / BLOCK, whole, false).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
