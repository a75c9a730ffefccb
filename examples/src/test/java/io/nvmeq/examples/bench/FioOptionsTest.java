package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.nvmeq.examples.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fio's options with fio's meanings, each on a short in-process run: what ends a job, what a repeated option
 * means, the options accepted for fio's command lines, where the report goes, and job files. Counts are
 * asserted, never times.
 */
class FioOptionsTest
{
    @TempDir
    Path dir;

    private static Object job(final Cli run, final int index)
    {
        return Json.at(Json.parse(run.jsonLine()), "jobs", index);
    }

    @Test
    void withoutTimeBasedTheSizeEndsTheJobBeforeTheRuntime()
    {
        // fio: --rw=write --size=1m --runtime=1s writes 1 MiB and stops.
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=write", "--size=1m", "--runtime=1s",
            "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object job = job(run, 0);
        assertEquals(256.0, Json.number(job, "write", "total_ios"), run::toString);
        assertEquals(1048576.0, Json.number(job, "write", "io_bytes"), run::toString);
        assertEquals(0.0, Json.number(job, "read", "total_ios"), run::toString);
    }

    @Test
    void ioSizeIsTheBytesOfIoAndTimeBasedGoesOnPastIt()
    {
        final Cli twice = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=write", "--size=64k",
            "--io_size=128k", "--output-format=json");
        assertEquals(0, twice.exitCode(), twice::toString);
        assertEquals(32.0, Json.number(job(twice, 0), "write", "total_ios"), twice::toString);

        final Cli timed = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=randread", "--size=16k",
            "--time_based", "--runtime=300ms", "--output-format=json");
        assertEquals(0, timed.exitCode(), timed::toString);
        assertTrue(Json.number(job(timed, 0), "read", "total_ios") > 4, timed::toString);
        assertEquals(Boolean.TRUE, Json.at(job(timed, 0), "nvmeq", "time_based"));
    }

    @Test
    void aRepeatedOptionTakesItsLastValue()
    {
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=read", "--bs=8k", "--size=64k",
            "--bs=4k", "--rw=write", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object job = job(run, 0);
        assertEquals("4k", Json.at(job, "job options", "bs"));
        assertEquals(16.0, Json.number(job, "write", "total_ios"), run::toString);
    }

    @Test
    void directAndGroupReportingAreAcceptedAndDirectSaysItHasNoEffect()
    {
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=8m", "--direct=1", "--group_reporting",
            "--numjobs=2", "--rw=randread", "--size=64k", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--direct=1 has no effect"), run::toString);
        final Object json = Json.parse(run.jsonLine());
        assertEquals(1, ((List<?>)Json.at(json, "jobs")).size(), "numjobs are one group's one entry");
        // Each of the two jobs does its own io_size (= size), as in fio.
        assertEquals(32.0, Json.number(Json.at(json, "jobs", 0), "read", "total_ios"), run::toString);
    }

    @Test
    void rwIsSequentialMixedAndRwmixreadSetsItsShare()
    {
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=readwrite", "--rwmixread=100",
            "--size=64k", "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(16.0, Json.number(job(run, 0), "read", "total_ios"), run::toString);
        assertEquals(0.0, Json.number(job(run, 0), "write", "total_ios"), run::toString);
        final Cli writes = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=rw", "--rwmixread=0",
            "--size=64k", "--output-format=json");
        assertEquals(16.0, Json.number(job(writes, 0), "write", "total_ios"), writes::toString);
    }

    @Test
    void offsetPlacesTheRegionOnTheDevice() throws IOException
    {
        final Path file = dir.resolve("offset.dat");
        Files.write(file, new byte[3 << 20]);
        final Cli run = nvmeq("bench", "--filename=posix:" + file, "--rw=write", "--offset=1m", "--size=1m",
            "--output-format=json");
        assertEquals(0, run.exitCode(), run::toString);
        final byte[] bytes = Files.readAllBytes(file);
        assertTrue(allZero(bytes, 0, 1 << 20), "nothing before --offset");
        assertFalse(allZero(bytes, 1 << 20, 2 << 20), "the region from --offset was written");
        assertTrue(allZero(bytes, 2 << 20, 3 << 20), "nothing past --offset + --size");
        assertEquals(1048576.0, Json.number(job(run, 0), "nvmeq", "region_offset"));
    }

    @Test
    void outputWritesTheReportToAFileAndJsonPlusAddsLatencyBins() throws IOException
    {
        final Path report = dir.resolve("report.json");
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=8m", "--rw=randread", "--size=64k",
            "--output-format=json+", "--output=" + report);
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().isEmpty(), run::toString);
        final Object job = Json.at(Json.parse(Files.readString(report).strip()), "jobs", 0);
        @SuppressWarnings("unchecked")
        final Map<String, Object> bins = (Map<String, Object>)Json.at(job, "read", "clat_ns", "bins");
        final double total = bins.values().stream().mapToDouble(v -> (Double)v).sum();
        assertEquals(16.0, total, "every I/O in one bin");
    }

    @Test
    void aJobFileRunsItsSectionsWithTheGlobalsAsFioDoes() throws URISyntaxException
    {
        final Path file = Path.of(FioOptionsTest.class.getResource("/fio/two-groups.fio").toURI());
        final Cli run = nvmeq("bench", file.toString(), "--output-format=normal,json", "--eta=never");
        assertEquals(0, run.exitCode(), run::toString);
        final Object json = Json.parse(run.jsonLine());
        assertEquals("4k", Json.at(json, "global options", "bs"));
        final Object write = Json.at(json, "jobs", 0);
        assertEquals("seq-write", Json.at(write, "jobname"));
        assertEquals(0.0, Json.number(write, "groupid"));
        assertEquals("write", Json.at(write, "job options", "rw"));
        // size=2m of 4k writes once, then the verify read-back of the same 512 blocks.
        assertEquals(512.0, Json.number(write, "write", "total_ios"), run::toString);
        assertEquals(512.0, Json.number(write, "nvmeq", "verify", "read_back"), run::toString);
        final Object mixed = Json.at(json, "jobs", 1);
        assertEquals("mixed", Json.at(mixed, "jobname"));
        assertEquals(1.0, Json.number(mixed, "groupid"));
        assertEquals("2", Json.at(mixed, "job options", "numjobs"));
        assertTrue(Json.number(mixed, "read", "total_ios") > 0 && Json.number(mixed, "write", "total_ios") > 0,
            run::toString);
        assertTrue(run.out().contains("Run status group 1 (all jobs):"), run::toString);
    }

    @Test
    void aBadJobFileLineIsRefusedNamingTheFileAndSection() throws IOException
    {
        final Path file = dir.resolve("bad.fio");
        Files.writeString(file, "[global]\nsize=1m\n\n[reader]\nrw=sideways\n");
        final Cli run = nvmeq("bench", file.toString());
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains(file + " [reader]: --rw must be read, write, rw"), run::toString);
        final Path orphan = dir.resolve("orphan.fio");
        Files.writeString(orphan, "rw=read\n[job]\n");
        final Cli before = nvmeq("bench", orphan.toString());
        assertEquals(ExitCodes.USAGE, before.exitCode(), before::toString);
        assertTrue(before.err().contains("line 1: 'rw=read' comes before any [section]"), before::toString);
    }

    @Test
    void rateIopsCapsEachJobOnEveryEngine()
    {
        // 40 I/Os per second for 500 ms: at most 21 I/Os (one at the start, then one every 25 ms). A slow
        // machine issues fewer; no machine may issue more.
        for (final String[] engine : List.of(new String[] {"--client=colocated"}, new String[] {"--client=tell"},
            new String[] {"--client=local"},
            new String[] {"--client=facade"},
            new String[] {"--ioengine=raw"}, new String[] {"--ioengine=posix", "--filename=posix:" +
                dir.resolve("rate.dat")}))
        {
            final List<String> args = new ArrayList<>(List.of("bench", "--filename=emu:memory?size=8m",
                "--rw=randread", "--size=1m", "--iodepth=4", "--time_based", "--runtime=500ms", "--rate_iops=40",
                "--output-format=json"));
            args.addAll(List.of(engine));
            final Cli run = nvmeq(args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run::toString);
            final double ios = Json.number(job(run, 0), "read", "total_ios");
            assertTrue(ios > 0 && ios <= 21, String.join(" ", engine) + ": " + ios + " I/Os\n" + run);
        }
    }

    private static boolean allZero(final byte[] bytes, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }
}
