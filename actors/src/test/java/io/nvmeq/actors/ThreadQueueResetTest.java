package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.nvmeq.engine.ControllerResetException;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeException;
import org.junit.jupiter.api.Test;

import static io.nvmeq.actors.TestSupport.contents;
import static io.nvmeq.actors.TestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A controller reset under a thread queue: the queue is re-created and its owner reconnects and goes on. */
class ThreadQueueResetTest
{
    private static final int NSID = 1;
    private static final int BLOCK = 512;

    @Test
    void aThreadQueueServesOnAfterAControllerFatalStatus() throws Exception
    {
        // CSTS.CFS when the controller fetches its 301st I/O command.
        try (Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("TQ-CFS")
            .withDevice("emu:memory?size=4m&bs=512&serial=TQ-CFS&faults=cfs:300")))
        {
            final DmaBuffer out = nvmeq.allocate(BLOCK);
            final DmaBuffer in = nvmeq.allocate(BLOCK);
            final List<String> problems = new ArrayList<>();
            int resetErrors = 0;
            int verified = 0;
            try (NvmeqThreadQueue queue = nvmeq.threadQueue())
            {
                for (int i = 0; i < 1000; i++)
                {
                    final long lba = i % 64;
                    out.buffer().putBytes(0, pattern(i, BLOCK));
                    try
                    {
                        queue.write(NSID, lba, 1, out, 0, false);
                        queue.read(NSID, lba, 1, in, 0);
                        if (!Arrays.equals(pattern(i, BLOCK), contents(in, 0, BLOCK)))
                        {
                            problems.add("round " + i + ": LBA " + lba + " read back other data");
                        }
                        verified++;
                    }
                    catch (final ControllerResetException ex)
                    {
                        resetErrors++; // held by the controller when it was reset, retries used up: typed, true
                    }
                    catch (final NvmeException ex)
                    {
                        problems.add("round " + i + ": " + ex);
                    }
                }
            }
            assertEquals(List.of(), problems);
            assertTrue(nvmeq.health().controllerResets() >= 1, "the controller was reset: " + nvmeq.health());
            assertTrue(verified > 900, "the thread queue served on after the reset: " + verified + " verified, " +
                resetErrors + " answered with a reset error");
        }
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }
}
