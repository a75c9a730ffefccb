package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nvmeq.examples.cli.ExitCodes;
import org.junit.jupiter.api.Test;

/** {@code bench --engine a,b,c}: each engine in turn, one jobs[] entry each, and the table of ratios. */
class EngineListTest
{
    private static final List<String> ENGINES = List.of("raw", "actors", "posix");

    @Test
    void eachEngineRunsTheJobAndTheReportEndsWithRatiosToTheFirst()
    {
        final Cli run = nvmeq("bench", "--name=cmp", "--device", "emu:memory?size=2m", "--rw=randread", "--iodepth=2",
            "--runtime=300ms", "--ramp_time=0", "--time_based", "--engine=" + String.join(",", ENGINES),
            "--output-format=normal,json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object json = Json.parse(run.jsonLine());
        final List<?> jobs = (List<?>)Json.at(json, "jobs");
        assertEquals(ENGINES.size(), jobs.size(), "one jobs[] entry per engine");
        final String table = run.out().substring(run.out().indexOf("Engines compared"));
        final double firstIops = Json.number(jobs.get(0), "read", "iops");
        for (int i = 0; i < ENGINES.size(); i++)
        {
            final Object job = jobs.get(i);
            assertEquals(ENGINES.get(i), Json.at(job, "job options", "ioengine"), "job options.ioengine names it");
            assertEquals("cmp", Json.at(job, "jobname"));
            final double alloc = Json.number(job, "nvmeq", "alloc_bytes_per_io");
            final double cpu = Json.number(job, "nvmeq", "cpu_ns_per_io");
            assertTrue(alloc >= 0 && cpu > 0, "alloc " + alloc + ", cpu " + cpu);
            final double iops = Json.number(job, "read", "iops");
            assertTrue(iops > 0, ENGINES.get(i));
            // The table's row: the engine, its IOPS as the text report prints them, its ratio to the first.
            final Matcher row = Pattern.compile("\\s" + ENGINES.get(i) + "\\s+(\\S+)\\s+([0-9.]+)x").matcher(table);
            assertTrue(row.find(), table);
            assertEquals(FioFormat.count(iops), row.group(1), table);
            assertEquals(String.format(Locale.ROOT, "%.2f", iops / firstIops), row.group(2), table);
        }
        assertTrue(Json.at(jobs.get(2), "nvmeq", "device").toString().startsWith("posix:"),
            "posix beside an emulated device runs on a file of its own");
        assertEquals("1.00", Pattern.compile("raw\\s+\\S+\\s+([0-9.]+)x").matcher(table).results().findFirst()
            .orElseThrow().group(1));
    }

    @Test
    void badListsAreRefusedBeforeAnythingRuns()
    {
        for (final String[] bad : List.of(new String[] {"raw,raw", "named twice"},
            new String[] {"raw,", "an empty item"}, new String[] {"raw,fast", "--engine must be actors, sync, raw or posix"}))
        {
            final Cli run = nvmeq("bench", "--device", "emu:memory?size=2m", "--rw=randread", "--runtime=100ms",
                "--engine=" + bad[0]);
            assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
            assertTrue(run.err().contains(bad[1]), run::toString);
            assertTrue(!run.out().contains("IOPS="), "nothing ran: " + run);
        }
        final Cli matrix = nvmeq("bench", "--reference-matrix", "--device", "emu:memory?size=2m", "--engine=raw,actors");
        assertEquals(ExitCodes.USAGE, matrix.exitCode(), matrix::toString);
        assertTrue(matrix.err().contains("a list of engines is for bench jobs"), matrix::toString);
    }
}
