package io.nvmeq.actors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Requests sent while close() runs: each is either refused (and then it did not happen) or answered
 * by its completion (and then it did). Checked on the medium: a file-backed namespace, read back
 * through a second open after the first was closed.
 */
class FacadeCloseTruthTest
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;
    private static final int SENDERS = 4;
    private static final int BLOCKS_PER_SENDER = 1500;

    @TempDir
    Path directory;

    @Test
    void everyAnswerDuringCloseIsTrueOnTheMedium() throws Exception
    {
        final String device = "emu:file:" + directory.resolve("close.img") + "?size=4m&bs=512";
        final NvmeqSettings settings = TestSupport.settings("CLOSE-TRUTH").withDevice(device);
        final Nvmeq nvmeq = Nvmeq.open(settings);
        final List<List<CompletableFuture<Void>>> sent = new ArrayList<>();
        final AtomicInteger answered = new AtomicInteger();
        final List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++)
        {
            final int sender = s;
            final DmaBuffer data = nvmeq.allocate(BLOCKS_PER_SENDER * BLOCK);
            final List<CompletableFuture<Void>> stages = new ArrayList<>();
            sent.add(stages);
            for (int i = 0; i < BLOCKS_PER_SENDER; i++)
            {
                data.buffer().putBytes(i * BLOCK, pattern(lba(sender, i), BLOCK));
            }
            final Thread thread = new Thread(() ->
            {
                // Enough in flight to keep every queue pair busy through close, not so many that the backlog refuses.
                final Semaphore window = new Semaphore(24);
                for (int i = 0; i < BLOCKS_PER_SENDER; i++)
                {
                    window.acquireUninterruptibly();
                    final CompletableFuture<Void> stage = nvmeq.queue(i % nvmeq.queuePairs())
                        .write(NSID, lba(sender, i), 1, data, i * BLOCK, false).toCompletableFuture();
                    stages.add(stage);
                    stage.whenComplete((ok, error) ->
                    {
                        answered.incrementAndGet();
                        window.release();
                    });
                    if (stage.isCompletedExceptionally() && i > 0 && refused(stage))
                    {
                        break;
                    }
                }
            }, "sender-" + s);
            senders.add(thread);
        }
        senders.forEach(Thread::start);
        while (answered.get() < 400)
        {
            Thread.onSpinWait();
        }
        nvmeq.close();
        for (final Thread thread : senders)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }

        int done = 0;
        int refused = 0;
        final List<long[]> expectations = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++)
        {
            final List<CompletableFuture<Void>> stages = sent.get(s);
            for (int i = 0; i < stages.size(); i++)
            {
                final CompletableFuture<Void> stage = stages.get(i);
                assertTrue(stage.isDone(), "request " + lba(s, i) + " unanswered after close");
                if (!stage.isCompletedExceptionally())
                {
                    done++;
                    expectations.add(new long[] {lba(s, i), 1});
                }
                else if (refused(stage))
                {
                    refused++;
                    expectations.add(new long[] {lba(s, i), 0});
                }
                else
                {
                    fail("request " + lba(s, i) + " answered neither done nor refused: " + cause(stage));
                }
            }
        }
        assertTrue(done >= 400, "done " + done);
        assertTrue(refused > 0, "no request was sent after close: the test did not test anything");

        try (Nvmeq second = Nvmeq.open(settings.withDevice(device)))
        {
            final DmaBuffer back = second.allocate(BLOCK);
            for (final long[] expectation : expectations)
            {
                second.read(NSID, expectation[0], 1, back, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
                final byte[] expected = expectation[1] == 1 ? pattern(expectation[0], BLOCK) : new byte[BLOCK];
                assertArrayEquals(expected, contents(back, 0, BLOCK), "block " + expectation[0] +
                    (expectation[1] == 1 ? " answered done" : " answered refused"));
            }
        }
        assertEquals(done + refused, expectations.size());
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }

    private static long lba(final int sender, final int index)
    {
        return (long)sender * BLOCKS_PER_SENDER + index;
    }

    /** Refused before it was sent: the one answer that says the request did nothing. */
    private static boolean refused(final CompletableFuture<Void> stage)
    {
        return cause(stage) instanceof InvalidRequestException || cause(stage) instanceof BackpressureException;
    }

    private static Throwable cause(final CompletableFuture<Void> stage)
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
}
