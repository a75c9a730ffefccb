package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        final Cli run = nvmeq("scale", "--max-queue-pairs=2", "--runtime=500ms", "--ramp_time=0", "--repeat=2",
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
        // Each point is the median of its runs, drawn with their spread.
        for (int i = 0; i < 2; i++)
        {
            final double min = Json.number(model, "points", i, "min_iops");
            final double max = Json.number(model, "points", i, "max_iops");
            final double median = Json.number(model, "points", i, "iops");
            assertTrue(min <= median && median <= max, min + " " + median + " " + max);
            assertEquals(2, ((List<?>)Json.at(model, "points", i, "runs_iops")).size());
        }
        assertTrue(svg.contains("queue pairs (linear scale)"), svg);
        assertTrue(svg.contains(Runtime.getRuntime().availableProcessors() + " CPUs</text>"), svg);
        assertTrue(svg.contains("median of 2 run(s), bar: min to max"), svg);
        assertTrue(svg.contains(">emu:null?size=1g</text>"), "the device URI is the panel's subtitle, whole: " + svg);
    }

    @Test
    void tickLabelsShareOneUnitAndOneNumberOfDecimals()
    {
        assertArrayEquals(new String[] {"0", "30k", "60k", "90k", "120k", "150k"}, ScaleChart.tickLabels(30_000, 5));
        assertArrayEquals(new String[] {"0", "2.5k", "5.0k", "7.5k", "10.0k", "12.5k"},
            ScaleChart.tickLabels(2_500, 5));
        assertArrayEquals(new String[] {"0", "0.4M", "0.8M", "1.2M"}, ScaleChart.tickLabels(400_000, 3));
        // A long subtitle breaks between its parameters instead of being clipped.
        final String uri = "emu:null?size=1g&latency=read:80us,write:20us&channels=64&queues=16&entries=1024&mdts=5";
        final List<String> lines = ScaleChart.wrap(uri, 60);
        assertEquals(uri, String.join("", lines));
        assertTrue(lines.size() == 2 && lines.get(1).startsWith("&"), lines.toString());
    }

    @Test
    void aBadEngineIsRefused()
    {
        final Cli run = nvmeq("scale", "--engine=posix", "--chart=none");
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--engine must be actors or raw"), run::toString);
    }
}
