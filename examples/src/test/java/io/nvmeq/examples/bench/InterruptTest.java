package io.nvmeq.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.nvmeq.examples.cli.NvmeqCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C, as fio: a bench job in a child JVM gets SIGINT while it runs (a 10-minute time-based job) and prints the
 * report of what ran before it exits. Waits are bounds on a stuck child, not timings.
 */
class InterruptTest
{
    @TempDir
    Path dir;

    @Test
    void sigintStopsTheJobAndPrintsWhatRan() throws IOException, InterruptedException
    {
        final Path out = dir.resolve("stdout.txt");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            NvmeqCli.class.getName(), "bench", "--filename=emu:memory?size=8m", "--rw=randwrite", "--time_based",
            "--runtime=10m", "--eta=always", "--output-format=normal,json"))
            .redirectOutput(out.toFile())
            .redirectErrorStream(false)
            .start();
        try
        {
            // The job runs once the progress line (one a second, on stderr) has appeared.
            final BufferedReader err = new BufferedReader(new InputStreamReader(child.getErrorStream(),
                StandardCharsets.UTF_8));
            String line;
            while ((line = err.readLine()) != null && !line.startsWith("Jobs: "))
            {
                // bring-up log lines
            }
            assertTrue(line != null, "the child ended before its job ran");
            new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor();
            final Thread drain = new Thread(() -> err.lines().forEach(ignored -> { }));
            drain.setDaemon(true);
            drain.start();
            assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child did not end after SIGINT");
            assertEquals(130, child.exitValue());
            final String report = Files.readString(out);
            assertTrue(report.contains("interrupted: the figures cover what ran until then"), report);
            assertTrue(report.contains("  write: IOPS="), report);
            final String[] lines = report.strip().split("\\R");
            final Object job = Json.at(Json.parse(lines[lines.length - 1]), "jobs", 0);
            assertEquals(Boolean.TRUE, Json.at(job, "nvmeq", "interrupted"));
            assertTrue(Json.number(job, "write", "total_ios") > 0, report);
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}
