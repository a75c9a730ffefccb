package io.nvmeq.examples.cli;

import org.junit.jupiter.api.Test;

import static io.nvmeq.examples.cli.CliRun.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure to persist reaches the exit status: over the test device {@code unsyncable:} (a namespace
 * file whose fsync fails), the shutdown at the end of {@code write} and {@code read} cannot flush, and
 * the command exits 1 with one line on stderr instead of "Success".
 */
class FailedShutdownCliTest
{
    @Test
    void writeWhoseShutdownCannotFlushExitsOneAndDoesNotSaySuccess()
    {
        final CliRun run = nvmeq("write", "--device", "unsyncable:", "-s", "0", "-c", "1", "--pattern", "0xCD");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertFalse(run.out().contains("Success"), run::toString);
        assertEquals(1, run.err().lines().count(), run::toString);
        assertTrue(run.err().startsWith("nvmeq: ") && run.err().contains("may not be durable"), run::toString);
    }

    @Test
    void readWhoseShutdownCannotFlushExitsOne()
    {
        final CliRun run = nvmeq("read", "--device", "unsyncable:", "-s", "0", "-c", "1");
        assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
        assertEquals(1, run.err().lines().count(), run::toString);
        assertTrue(run.err().contains("may not be durable"), run::toString);
    }
}
