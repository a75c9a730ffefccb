package io.nvmeq.examples.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nvmeq.examples.bench.Cli;
import io.nvmeq.examples.bench.Json;
import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.examples.cli.ServeProcess;
import org.junit.jupiter.api.Test;

/**
 * {@code nvmeq faults --device remote://...} against {@code nvmeq serve --allow-restarts} in another JVM: the
 * server's cluster node restarts during a verified workload, and nothing is lost, answered twice or corrupt.
 */
class RemoteFaultsTest
{
    @Test
    void serverRestartsDuringAVerifiedRemoteWorkloadLoseNothing() throws Exception
    {
        final int port = ServeProcess.freePort();
        try (ServeProcess server = ServeProcess.start("--device", "emu:memory?size=8m&serial=FAULTS", "--bind",
            "127.0.0.1:" + port, "--queue-pairs", "2", "--allow-restarts"))
        {
            final Cli run = Cli.nvmeq("faults", "--device", server.uri(), "--runtime", "12s", "--kill-interval", "1s",
                "--size", "256k", "--iodepth", "8", "--output-format", "normal,json");
            assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
            final Object json = Json.parse(run.jsonLine());
            assertTrue(Json.number(json, "kills") > 0, "server restarts asked for: " + run);
            assertTrue(Json.number(json, "restarts") > 0, "the server was found again after a restart: " + run);
            assertEquals(0, Json.number(json, "unanswered"));
            assertEquals(0, Json.number(json, "double_answers"));
            assertEquals(0, Json.number(json, "corrupt_reads"));
            assertEquals(0, Json.number(json, "corrupt_blocks"));
            assertEquals(Json.number(json, "sent"), Json.number(json, "ok") + Json.number(json, "failed"));
            assertTrue(Json.number(json, "queues", 0, "reads_checked") > 0, run::toString);
            assertEquals(Boolean.TRUE, Json.at(json, "passed"));
        }
    }

    @Test
    void aServerWithoutRestartsAllowedIsNeverRestartedAndTheDrillSaysSo() throws Exception
    {
        final int port = ServeProcess.freePort();
        try (ServeProcess server = ServeProcess.start("--device", "emu:memory?size=8m&serial=NORESTART", "--bind",
            "127.0.0.1:" + port, "--queue-pairs", "1"))
        {
            final Cli run = Cli.nvmeq("faults", "--device", server.uri(), "--runtime", "3s", "--kill-interval", "500ms",
                "--size", "128k", "--iodepth", "4", "--queue-pairs", "1");
            assertEquals(ExitCodes.FAILED, run.exitCode(), run::toString);
            assertTrue(run.err().contains("never came back"), run::toString);
        }
    }
}
