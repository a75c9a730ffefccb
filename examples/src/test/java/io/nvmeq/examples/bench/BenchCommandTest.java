package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nvmeq.examples.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmeq bench} in-process with runs of a fraction of a second: the reports' content and agreement, each
 * engine, verification, and refusals. No timing is asserted: only that I/O happened and was counted consistently.
 */
class BenchCommandTest
{
    private static final String SHORT = "--runtime=300ms";
    private static final String NO_RAMP = "--ramp_time=0";

    @TempDir
    Path dir;

    @Test
    void jsonParsesAndAgreesWithTheTextOfTheSameRun()
    {
        final Cli run = nvmeq("bench", "--device", "emu:memory?size=4m", "--rw=randrw", "--iodepth=2", SHORT,
            "--time_based", "--ramp_time=100ms", "--output-format=normal,json", "--eta=never");
        assertEquals(0, run.exitCode(), run::toString);
        final Object json = Json.parse(run.jsonLine());
        final Object job = Json.at(json, "jobs", 0);
        assertEquals("randrw", Json.at(job, "job options", "rw"));
        assertEquals("nvmeq-actors", Json.at(job, "nvmeq", "engine"));
        final Matcher issued = Pattern.compile("issued rwts: total=(\\d+),(\\d+),0,0").matcher(run.out());
        assertTrue(issued.find(), run::toString);
        for (final String direction : List.of("read", "write"))
        {
            final long ios = Long.parseLong(issued.group(direction.equals("read") ? 1 : 2));
            assertTrue(ios > 0, run::toString);
            assertEquals(ios, (long)Json.number(job, direction, "total_ios"), direction);
            assertEquals(ios * 4096, (long)Json.number(job, direction, "io_bytes"), direction);
            assertEquals(ios, (long)Json.number(job, direction, "lat_ns", "N"), direction);
            assertEquals(ios, (long)Json.number(job, direction, "clat_ns", "N"), direction);
            final double iops = Json.number(job, direction, "iops");
            assertEquals(ios / 0.3, iops, 1e-3 * iops, direction);
            assertEquals(Math.round(Json.number(job, direction, "bw_bytes") / 1024),
                (long)Json.number(job, direction, "bw"), direction);
            final Matcher text = Pattern.compile("  " + direction + ": IOPS=([^,]+), BW=([^ ]+) ").matcher(run.out());
            assertTrue(text.find(), run::toString);
            assertEquals(FioFormat.count(iops), text.group(1), direction);
            assertEquals(FioFormat.bandwidth(Json.number(job, direction, "bw_bytes")), text.group(2), direction);
            final long p50 = (long)Json.number(job, direction, "clat_ns", "percentile", "50.000000");
            final long min = (long)Json.number(job, direction, "clat_ns", "min");
            final long max = (long)Json.number(job, direction, "clat_ns", "max");
            assertTrue(min > 0 && min <= p50 && p50 <= max, direction + ": " + min + " " + p50 + " " + max);
            assertTrue(run.out().contains(String.format(Locale.ROOT, "50.00th=[%d]", p50)), run::toString);
        }
        final double cpuPerIo = Json.number(job, "nvmeq", "cpu_ns_per_io");
        assertTrue(run.out().contains(String.format(Locale.ROOT, "cpu/IO=%.0f ns", cpuPerIo)), run::toString);
    }

    @Test
    void theRawEngineAndTheFacadeClientRunTheSameJob()
    {
        for (final String[] engine : List.of(new String[] {"--engine=raw"}, new String[] {"--client=facade"}))
        {
            final Cli run = nvmeq("bench", "--device", "emu:memory?size=2m", "--rw=randwrite", "--iodepth=4",
                "--numjobs=2", SHORT, NO_RAMP, "--output-format=json", engine[0]);
            assertEquals(0, run.exitCode(), run::toString);
            final Object job = Json.at(Json.parse(run.jsonLine()), "jobs", 0);
            assertTrue(Json.number(job, "write", "total_ios") > 0, run::toString);
            assertEquals(0.0, Json.number(job, "read", "total_ios"), run::toString);
        }
    }

    @Test
    void thePosixBaselineRunsOnAFileWithVerification()
    {
        final Path file = dir.resolve("posix.dat");
        final Cli run = nvmeq("bench", "--device", "posix:" + file, "--size=1m", "--rw=randrw", "--iodepth=2",
            "--verify=crc32c", "--verify_state_save=0", SHORT, NO_RAMP, "--output-format=normal,json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object job = Json.at(Json.parse(run.jsonLine()), "jobs", 0);
        assertEquals("posix-psync", Json.at(job, "nvmeq", "engine"));
        assertEquals(Boolean.TRUE, Json.at(job, "nvmeq", "verify", "ok"));
        assertTrue(Json.number(job, "nvmeq", "verify", "checked") > 0, run::toString);
        assertTrue(run.out().contains("verify       : crc32c"), run::toString);
    }

    @Test
    void verifyFindsAndNamesABlockCorruptedInTheFileBackend() throws IOException
    {
        final Path image = dir.resolve("disk.img");
        final String device = "emu:file:" + image + "?size=1m";
        final String state = "--verify_state_file=" + dir.resolve("verify.state");
        final Cli write = nvmeq("bench", "--device", device, "--rw=randwrite", "--iodepth=2", "--verify=crc32c",
            SHORT, NO_RAMP, state);
        assertEquals(0, write.exitCode(), write::toString);
        final Cli clean = nvmeq("bench", "--device", device, "--verify=crc32c", "--verify_only", state);
        assertEquals(0, clean.exitCode(), clean::toString);
        assertTrue(clean.out().contains("verify_only: 256 block(s) of 4096 bytes checked: OK"), clean::toString);

        // Behind the driver's back: one byte of block 77 changes in the backing file.
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            final long at = 77L * 4096 + 1234;
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x01)).rewind();
            channel.write(one, at);
        }
        final Cli corrupt = nvmeq("bench", "--device", device, "--verify=crc32c", "--verify_only", state);
        assertEquals(ExitCodes.MISMATCH, corrupt.exitCode(), corrupt::toString);
        assertTrue(corrupt.err().contains("block at offset 315392 (0x4d000, LBA 616, 4096 bytes): crc32c mismatch"),
            corrupt::toString);
    }

    @Test
    void badOptionsAreRefusedWithWhatIsWrong()
    {
        assertRefused("--rw must be read, write, rw (readwrite), randread, randwrite or randrw, not 'randomread'",
            "--rw=randomread");
        assertRefused("--bs must be a positive multiple of 512 bytes, not 1000", "--bs=1000");
        assertRefused("--verify supports crc32c, not 'md5'", "--verify=md5");
        assertRefused("--iodepth must be 1..1024, not 0", "--iodepth=0");
        assertRefused("unknown time unit 'parsecs'", "--runtime=3parsecs");
        assertRefused("--numjobs 3: emu:memory?size=1m&queues=2 runs only 2 queue pair(s), one per job",
            "--device=emu:memory?size=1m&queues=2", "--numjobs=3");
        assertRefused("--size 2097152 exceeds namespace 1 of emu:memory?size=1m (1048576 bytes)",
            "--device=emu:memory?size=1m", "--size=2m");
        assertRefused("--engine posix reads and writes a file through the kernel", "--engine=posix");
        assertRefused("--verify needs a device that keeps data", "--device=emu:null", "--verify=crc32c");
        assertRefused("--reference-matrix runs the reference jobs", "--seed-matrix", "--iodepth=8");
        assertRefused("--client applies to --engine actors only", "--engine=raw", "--client=facade");
    }

    private static void assertRefused(final String message, final String... options)
    {
        final String[] args = new String[options.length + 3];
        args[0] = "bench";
        args[1] = SHORT;
        args[2] = NO_RAMP;
        System.arraycopy(options, 0, args, 3, options.length);
        final Cli run = nvmeq(args);
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains(message), run::toString);
        assertTrue(run.out().isEmpty(), run::toString);
    }

    @Test
    void theReferenceMatrixComparesEveryCellWithPosix()
    {
        final Cli run = nvmeq("bench", "--reference-matrix", "--size=1m", "--runtime=500ms", NO_RAMP,
            "--posix-file=" + dir.resolve("seed.dat"), "--output-format=normal,json");
        assertEquals(0, run.exitCode(), run::toString);
        final Object cells = Json.at(Json.parse(run.jsonLine()), "seed_matrix", "cells");
        final String[] names = {"rand-read-1-req", "rand-read-4-req", "rand-write-1-req", "rand-write-4-req",
            "rand-rw-1-req", "rand-rw-4-req"};
        for (int i = 0; i < names.length; i++)
        {
            final Object cell = Json.at(cells, i);
            assertEquals(names[i], Json.at(cell, "job"));
            final double nvmeqIos = Json.number(cell, "nvmeq", "read", "total_ios") +
                Json.number(cell, "nvmeq", "write", "total_ios");
            final double posixIos = Json.number(cell, "posix", "read", "total_ios") +
                Json.number(cell, "posix", "write", "total_ios");
            assertTrue(nvmeqIos > 0 && posixIos > 0, run::toString);
            assertEquals(nvmeqIos / posixIos, Json.number(cell, "ratio"), 1e-5);
            assertEquals("posix-psync", Json.at(cell, "posix", "nvmeq", "engine"));
            assertTrue(run.out().contains(String.format(Locale.ROOT, "%6.2fx", nvmeqIos / posixIos)),
                run::toString);
        }
        assertTrue(Files.exists(dir.resolve("seed.dat")), "a named --posix-file is kept");
    }
}
