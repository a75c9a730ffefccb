package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client sees when its server dies, freezes or comes back (server JVMs on loopback): every request
 * is answered once, typed, within its deadline and one second, and the client carries on with the server
 * that comes back.
 */
class RemoteFailureTest
{
    private static final Path LOGS = Path.of("target", "remote-logs");
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final int BLOCKS_PER_WRITE = 8;
    private static final int BLOCK = 512;

    /** One write of the workload: its own LBA range (never rewritten), so its outcome is checkable alone. */
    private static final class Sent
    {
        final int n;
        final long sentAt = System.nanoTime();
        final AtomicInteger answers = new AtomicInteger();
        volatile long answeredAfterNanos = -1;
        volatile Throwable error;
        final CompletableFuture<Void> stage;
        /** Done once the answer was counted: the stage's own get() may return before its callbacks have run. */
        volatile CompletableFuture<Void> counted;

        Sent(final int n, final CompletableFuture<Void> stage)
        {
            this.n = n;
            this.stage = stage;
        }
    }

    static byte[] pattern(final int n)
    {
        final byte[] data = new byte[BLOCKS_PER_WRITE * BLOCK];
        for (int i = 0; i < data.length; i += 4)
        {
            ByteBuffer.wrap(data, i, 4).putInt(n * 7919 + i);
        }
        return data;
    }

    private static Config client(final int clientPort)
    {
        return RemoteNamespaceTest.clientConfig("nvmeq.remote.request-timeout = " + DEADLINE.toMillis() + "ms\n" +
            "nvmeq.remote.bind = \"127.0.0.1:" + clientPort + "\"\n");
    }

    /**
     * Writes with {@code depth} in flight until {@code untilNanos} (or {@code max} writes), from number {@code first};
     * {@code midway} runs once, at {@code midwayAtNanos} or after half the writes, whichever comes first.
     */
    private static List<Sent> workload(final RemoteNvmeq remote, final int first, final int max, final int depth,
        final long untilNanos, final Runnable midway, final long midwayAtNanos) throws InterruptedException
    {
        final List<Sent> sent = new ArrayList<>();
        final Semaphore window = new Semaphore(depth);
        boolean midwayDone = false;
        for (int n = first; n < first + max && System.nanoTime() < untilNanos; n++)
        {
            // At the time given, or half-way through the writes if they go faster than that: a fault that came
            // only after the last answer would find nothing in flight.
            if (!midwayDone && (System.nanoTime() >= midwayAtNanos || n - first >= max / 2))
            {
                midway.run();
                midwayDone = true;
            }
            if (!window.tryAcquire(DEADLINE.toMillis() + 2000, TimeUnit.MILLISECONDS))
            {
                fail("a request was not answered within its deadline and two seconds");
            }
            final CompletableFuture<Void> stage = remote.write(1, (long)n * BLOCKS_PER_WRITE, BLOCKS_PER_WRITE,
                ByteBuffer.wrap(pattern(n)), true).toCompletableFuture();
            final Sent one = new Sent(n, stage);
            sent.add(one);
            one.counted = stage.whenComplete((ignored, error) ->
            {
                one.answeredAfterNanos = System.nanoTime() - one.sentAt;
                one.error = error;
                one.answers.incrementAndGet();
                window.release();
            });
            if (one.stage.isCompletedExceptionally())
            {
                Thread.sleep(5); // refused at once (no server now): don't spin
            }
        }
        if (!midwayDone)
        {
            midway.run();
        }
        return sent;
    }

    /** Every request answered once, within the deadline + 1 s, and only with the typed network errors. */
    private static void assertAllAnsweredInTime(final List<Sent> sent)
    {
        final long bound = DEADLINE.plusSeconds(1).toNanos();
        for (final Sent one : sent)
        {
            try
            {
                one.counted.get(DEADLINE.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
            catch (final Exception ex)
            {
                // checked below
            }
            assertTrue(one.stage.isDone(), "write " + one.n + " was never answered");
            assertEquals(1, one.answers.get(), "write " + one.n + " answered " + one.answers.get() + " times");
            assertTrue(one.answeredAfterNanos <= bound, "write " + one.n + " answered after " +
                one.answeredAfterNanos / 1_000_000 + " ms, past the deadline + 1 s");
            if (one.error != null)
            {
                final Throwable cause = one.error instanceof CompletionException ? one.error.getCause() : one.error;
                assertTrue(cause instanceof RemoteOutcomeUnknownException || cause instanceof RemoteUnavailableException,
                    "write " + one.n + " failed with " + cause);
            }
        }
    }

    private static void awaitConnected(final RemoteNvmeq remote, final Duration within) throws InterruptedException
    {
        final long deadline = System.nanoTime() + within.toNanos();
        while (!remote.connected())
        {
            if (System.nanoTime() > deadline)
            {
                fail("the client did not find the server again within " + within);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void serverKilledMidWorkloadThenRestartedAndTheClientCarriesOn(@TempDir final Path dir) throws Exception
    {
        final Path image = dir.resolve("killed.img");
        final String device = "emu:file:" + image + "?size=64m&serial=KILLED";
        final int serverPort = ServerProcess.freePort();
        final int clientPort = ServerProcess.freePort();
        final ServerProcess first = ServerProcess.start(device, serverPort, "", false, List.of(), LOGS.resolve("killed-1.log"));
        ServerProcess second = null;
        try
        {
            first.awaitServing(60);
            try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + serverPort + "/KILLED/1", client(clientPort)))
            {
                final long start = System.nanoTime();
                final List<Sent> sent = workload(remote, 0, 12_000, 16, start + TimeUnit.SECONDS.toNanos(6), () ->
                {
                    try
                    {
                        first.kill9();
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }, start + TimeUnit.MILLISECONDS.toNanos(1500));
                assertAllAnsweredInTime(sent);
                final long unknown = sent.stream().filter(s -> s.error != null && cause(s) instanceof RemoteOutcomeUnknownException).count();
                final long acked = sent.stream().filter(s -> s.error == null).count();
                assertTrue(acked > 0, "some writes were done before the kill");
                assertTrue(unknown > 0, "the writes in flight at the kill have an unknown outcome");
                assertEquals(0, remote.outstanding());

                second = ServerProcess.start(device, serverPort, "127.0.0.1:" + serverPort + ",127.0.0.1:" + clientPort, false,
                    List.of(), LOGS.resolve("killed-2.log"));
                second.awaitServing(60);
                awaitConnected(remote, Duration.ofSeconds(60));

                // Acknowledged FUA writes survived the kill; writes of unknown outcome are there whole or not at all.
                final ByteBuffer back = ByteBuffer.allocate(BLOCKS_PER_WRITE * BLOCK);
                for (final Sent one : sent)
                {
                    if (one.error != null && !(cause(one) instanceof RemoteOutcomeUnknownException))
                    {
                        continue;
                    }
                    back.clear();
                    RemoteNamespaceTest.join(remote.read(1, (long)one.n * BLOCKS_PER_WRITE, BLOCKS_PER_WRITE, back));
                    if (one.error == null)
                    {
                        assertArrayEquals(pattern(one.n), back.array(), "acknowledged write " + one.n);
                    }
                    else if (!Arrays.equals(pattern(one.n), back.array()))
                    {
                        assertArrayEquals(new byte[back.capacity()], back.array(), "write " + one.n + " of unknown outcome is torn");
                    }
                }
                // And the client carries on.
                final List<Sent> after = workload(remote, 12_000, 200, 8, Long.MAX_VALUE, () -> { }, Long.MAX_VALUE);
                assertAllAnsweredInTime(after);
                assertTrue(after.stream().allMatch(s -> s.error == null), "writes after the restart succeed");
            }
        }
        finally
        {
            first.close();
            if (second != null)
            {
                second.close();
            }
            Files.deleteIfExists(image);
        }
    }

    @Test
    void aFrozenServerTimesOutTypedAndResumesWhenThawed() throws Exception
    {
        final int serverPort = ServerProcess.freePort();
        final int clientPort = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start("emu:memory?size=64m&serial=FROZEN", serverPort, "", false, List.of(),
            LOGS.resolve("frozen.log")))
        {
            server.awaitServing(60);
            try (RemoteNvmeq remote = RemoteNvmeq.open("remote://127.0.0.1:" + serverPort + "/FROZEN/1", client(clientPort)))
            {
                final long start = System.nanoTime();
                final List<Sent> sent = workload(remote, 0, 12_000, 8, start + TimeUnit.SECONDS.toNanos(6), () ->
                {
                    try
                    {
                        server.stop();
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }, start + TimeUnit.MILLISECONDS.toNanos(1000));
                assertAllAnsweredInTime(sent);
                assertTrue(sent.stream().anyMatch(s -> s.error != null && cause(s) instanceof RemoteOutcomeUnknownException),
                    "requests in flight when the server froze time out as outcome unknown");
                server.cont();
                awaitConnected(remote, Duration.ofSeconds(60));
                final List<Sent> after = workload(remote, 12_000, 200, 8, Long.MAX_VALUE, () -> { }, Long.MAX_VALUE);
                assertAllAnsweredInTime(after);
                assertTrue(after.stream().allMatch(s -> s.error == null), "writes after the thaw succeed");
                // Answers of the frozen requests that came after their deadline were dropped, not delivered twice.
                assertTrue(sent.stream().allMatch(s -> s.answers.get() == 1));
            }
        }
    }

    @Test
    void aServerDownsAClientKilledWithoutLeaving() throws Exception
    {
        final int serverPort = ServerProcess.freePort();
        final String uri = "remote://127.0.0.1:" + serverPort + "/DOWNING/1";
        try (ServerProcess server = ServerProcess.start("emu:memory?size=8m&serial=DOWNING", serverPort, "", false,
            List.of("-Dnvmeq.remote.down-clients-after=2s"), LOGS.resolve("downing.log"));
             ServerProcess doomed = ServerProcess.client(uri, List.of(), LOGS.resolve("downing-client.log")))
        {
            server.awaitServing(60);
            final String doomedAddress = doomed.awaitServing(90);
            try (RemoteNvmeq remote = RemoteNvmeq.open(uri, client(ServerProcess.freePort())))
            {
                final Cluster cluster = Cluster.get(remote.system());
                assertTrue(members(cluster).contains(doomedAddress), "the other client is a member: " + members(cluster));
                doomed.kill9();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (members(cluster).contains(doomedAddress))
                {
                    if (System.nanoTime() > deadline)
                    {
                        fail("the killed client is still a member: " + members(cluster));
                    }
                    Thread.sleep(100);
                }
                RemoteNamespaceTest.join(remote.read(1, 0, 8, ByteBuffer.allocate(4096)));
            }
        }
    }

    private static List<String> members(final Cluster cluster)
    {
        final List<String> addresses = new ArrayList<>();
        cluster.state().getMembers().forEach(member -> addresses.add(member.address().toString()));
        return addresses;
    }

    private static Throwable cause(final Sent one)
    {
        return one.error instanceof CompletionException ? one.error.getCause() : one.error;
    }
}
