package io.nvmeq.examples.log;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's promise under a crash: a process that appends is killed with SIGKILL at an arbitrary moment,
 * and reopening its emu:file image recovers every record that process saw acknowledged, intact.
 */
class CrashRecoveryTest
{
    @TempDir
    Path dir;

    static int size(final long sequence)
    {
        return (int)((sequence * 104_729) % 9_000);
    }

    @Test
    void everyRecordAcknowledgedBeforeAKillNineIsRecovered() throws IOException, InterruptedException
    {
        final String image = "emu:file:" + dir.resolve("crash.img") + "?size=32m&bs=4096";
        final Process writer = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                AppendUntilKilled.class.getName(), image))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        long lastAcknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                if (line.startsWith("acknowledged "))
                {
                    lastAcknowledged = Long.parseLong(line.substring("acknowledged ".length()));
                    if (lastAcknowledged >= 150)
                    {
                        // Killed mid-stream, with appends in flight.
                        writer.destroyForcibly();
                        break;
                    }
                }
            }
        }
        finally
        {
            writer.destroyForcibly();
            writer.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(lastAcknowledged >= 150, "the writer acknowledged only up to " + lastAcknowledged);
        final long acknowledged = lastAcknowledged;
        try (AppendLog log = Main.onNvmeq(image, 1))
        {
            assertTrue(log.recovered() > acknowledged,
                "recovered " + log.recovered() + " records, but record " + acknowledged + " was acknowledged");
            log.forEach((sequence, payload) ->
                assertArrayEquals(Main.payload(sequence, size(sequence)), payload, "record " + sequence));
        }
    }
}
