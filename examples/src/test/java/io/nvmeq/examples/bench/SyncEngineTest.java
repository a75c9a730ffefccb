package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code nvmeq bench --engine sync}: jobs on plain threads with thread queues of their own, blocking at
 * iodepth 1 and with polled stages deeper, the data checked by {@code --verify}. No timing is asserted.
 */
class SyncEngineTest
{
    @Test
    void blockingAndStagedJobsMoveVerifiedData()
    {
        for (final String depth : new String[] {"--iodepth=1", "--iodepth=4"})
        {
            final Cli run = nvmeq("bench", "--device", "emu:memory?size=2m", "--engine=sync", "--rw=randrw", depth,
                "--numjobs=2", "--runtime=300ms", "--ramp_time=0", "--verify=crc32c", "--verify_state_save=0",
                "--output-format=json");
            assertEquals(0, run.exitCode(), run::toString);
            final Object job = Json.at(Json.parse(run.jsonLine()), "jobs", 0);
            assertEquals("nvmeq-sync", Json.at(job, "nvmeq", "engine"), run::toString);
            assertTrue(Json.number(job, "write", "total_ios") > 0, run::toString);
            assertTrue(Json.number(job, "read", "total_ios") > 0, run::toString);
            assertEquals(Boolean.TRUE, Json.at(job, "nvmeq", "verify", "ok"), run::toString);
            assertTrue(Json.number(job, "nvmeq", "verify", "checked") > 0, run::toString);
        }
    }
}
