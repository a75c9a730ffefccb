package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaleCommandTest
{
    @TempDir
    Path dir;

    @Test
    void scaleRunsOneAndTwoQueuePairsAndDrawsTheChart() throws IOException
    {
        final Path chart = dir.resolve("scale.svg");
        final Cli run = nvmeq("scale", "--max-queue-pairs=2", "--runtime=200ms", "--ramp_time=0",
            "--latency-device=none", "--chart=" + chart, "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object model = Json.at(Json.parse(run.jsonLine()), "scale", "models", 0);
        assertEquals("cpu-bound", Json.at(model, "name"));
        final double one = Json.number(model, "points", 0, "iops");
        assertEquals(1.0, Json.number(model, "points", 0, "queue_pairs"));
        assertEquals(2.0, Json.number(model, "points", 1, "queue_pairs"));
        assertEquals(2 * one, Json.number(model, "points", 1, "ideal_iops"), 1e-6 * one);
        assertEquals("2", Json.at(model, "points", 1, "job", "job options", "numjobs"));
        assertTrue(one > 0, run::toString);
        final String svg = Files.readString(chart);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertTrue(svg.contains("stroke-dasharray") && svg.contains("<circle"), svg);
    }

    @Test
    void aBadEngineIsRefused()
    {
        final Cli run = nvmeq("scale", "--engine=posix", "--chart=none");
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--engine must be actors or raw"), run::toString);
    }
}
