package io.nvmeq.actors;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.engine.DmaBuffer;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's command deadlines come from the settings (nvmeq.recovery.io-timeout): a completion the
 * device never posts is recovered (reap, Abort, retry) after that deadline, and the request is answered.
 * With Linux's 30 s default the bounded waits below would run out first, so this test can fail.
 */
class CommandDeadlineTest
{
    private Nvmeq nvmeq;

    @AfterEach
    void close() throws InterruptedException
    {
        TestSupport.close(nvmeq);
    }

    @Test
    void aDroppedCompletionIsRecoveredAfterTheConfiguredDeadline() throws Exception
    {
        final NvmeqSettings base = TestSupport.settings("DEADLINE");
        nvmeq = Nvmeq.open(base
            .withDevice("emu:memory?size=4m&bs=512&serial=DEADLINE&faults=drop:1")
            .withQueuePairs(1)
            .withRecovery(base.recovery().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5))));
        final byte[] data = pattern(11, 512);
        final DmaBuffer out = nvmeq.allocate(512);
        out.buffer().putBytes(0, data);
        nvmeq.write(1, 7, 1, out, 0, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        final DmaBuffer in = nvmeq.allocate(512);
        nvmeq.read(1, 7, 1, in, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertArrayEquals(data, contents(in, 0, 512));
    }

    @Test
    void theDefaultsAreLinuxsDeadlines()
    {
        final NvmeqSettings.Recovery recovery = NvmeqSettings.load().recovery();
        assertEquals(Duration.ofSeconds(30), recovery.ioTimeout());
        assertEquals(Duration.ofSeconds(60), recovery.adminTimeout());
    }
}
