package io.nvmeq.examples.faults;

import java.util.Map;

import io.nvmeq.examples.bench.Cli;
import io.nvmeq.examples.bench.Json;
import io.nvmeq.examples.cli.ExitCodes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultsCommandTest
{
    @Test
    void queuePairsKilledDuringAVerifiedWorkloadLoseNothing()
    {
        final Cli run = Cli.nvmeq("faults", "--runtime", "400ms", "--kill-interval", "40ms", "--size", "512k",
            "--iodepth", "8", "--output-format", "normal,json");
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertTrue(run.out().contains("result       : PASS"), run::toString);
        final Object json = Json.parse(run.jsonLine());
        assertTrue(Json.number(json, "kills") > 0, run::toString);
        assertTrue(Json.number(json, "restarts") > 0, run::toString);
        assertEquals(0, Json.number(json, "unanswered"));
        assertEquals(0, Json.number(json, "double_answers"));
        assertEquals(0, Json.number(json, "corrupt_reads"));
        assertEquals(0, Json.number(json, "corrupt_blocks"));
        assertEquals(Json.number(json, "sent"), Json.number(json, "ok") + Json.number(json, "failed"));
        assertEquals(1024, Json.number(json, "options", "blocks"), "512 KiB of 512-byte blocks");
        assertEquals(512, Json.number(json, "queues", 0, "read_back"));
        assertTrue(Json.number(json, "queues", 1, "reads_checked") > 0, run::toString);
        assertEquals(Boolean.TRUE, Json.at(json, "passed"));
        assertTrue(Json.at(json, "device").toString().contains("faults=random:0.001:1"), run::toString);
    }

    @Test
    @SuppressWarnings("unchecked")
    void injectedDeviceErrorsAreAnsweredAndCountedByType()
    {
        final Cli run = Cli.nvmeq("faults", "--fault-rate", "0.05", "--dnr", "--kill-interval", "0", "--runtime",
            "300ms", "--size", "256k", "--seed", "7", "--output-format", "json");
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        final Object json = Json.parse(run.jsonLine());
        final Map<String, Object> errors = (Map<String, Object>)Json.at(json, "errors");
        final double internal = Json.number(json, "errors", "CommandFailedException (Internal Error)");
        assertTrue(internal > 0, run::toString);
        double total = 0;
        for (final Object count : errors.values())
        {
            total += (Double)count;
        }
        assertEquals(Json.number(json, "failed"), total);
        assertEquals(0, Json.number(json, "kills"));
        assertEquals(0, Json.number(json, "corrupt_blocks"));
        assertTrue(Json.at(json, "device").toString().endsWith("faults=random-dnr:0.05:7"), run::toString);
    }

    @Test
    void aDeviceThatLosesDataFailsTheDrillAsCorrupt()
    {
        // emu:null acknowledges writes and moves no data: every read finds what was not written.
        final Cli run = Cli.nvmeq("faults", "--device", "emu:null?size=1m", "--runtime", "100ms", "--kill-interval",
            "0", "--size", "64k", "--queue-pairs", "1", "--iodepth", "4", "--output-format", "normal,json");
        assertEquals(ExitCodes.MISMATCH, run.exitCode(), run::toString);
        final Object json = Json.parse(run.jsonLine());
        assertTrue(Json.number(json, "corrupt_blocks") > 0, run::toString);
        assertEquals(Boolean.FALSE, Json.at(json, "passed"));
        assertTrue(run.out().contains("result       : FAIL"), run::toString);
        assertTrue(run.err().contains("nvmeq: faults:"), run::toString);
    }

    @Test
    void badOptionsAreUsageErrors()
    {
        // The shared option blocks: fio's last-one-wins and the output options' check.
        assertEquals(ExitCodes.USAGE, Cli.nvmeq("faults", "--output-format", "normal", "--output-format=html")
            .exitCode());
        assertEquals(ExitCodes.USAGE, Cli.nvmeq("faults", "--fault-rate", "2").exitCode());
        assertEquals(ExitCodes.USAGE, Cli.nvmeq("faults", "--dnr", "--fault-rate", "0").exitCode());
        assertEquals(ExitCodes.USAGE, Cli.nvmeq("faults", "--output-format", "xml").exitCode());
        assertEquals(ExitCodes.USAGE, Cli.nvmeq("faults", "--rwmixread", "101").exitCode());
        final Cli tooSmall = Cli.nvmeq("faults", "--size", "4k", "--runtime", "100ms");
        assertEquals(ExitCodes.USAGE, tooSmall.exitCode(), tooSmall::toString);
        assertTrue(tooSmall.err().contains("twice --iodepth"), tooSmall::toString);
    }
}
