package io.nvmeq.hw.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * Durability of a file-backed namespace (NVM command set spec 1.0 §3.2.6 FUA, base spec 2.0 §5.x Flush
 * / §5.27.1.4 Volatile Write Cache): once a FUA write or a Flush has completed, its data survives the
 * process being killed with SIGKILL. A child JVM (DurabilityChild) writes distinct random blocks and
 * reports each acknowledged one; it is killed at a random moment; a new controller on the same file
 * must then read every acknowledged block intact. Several rounds on one file, so that later rounds
 * overwrite blocks of earlier ones.
 */
class KillNineDurabilityTest
{
    private static final int BLOCKS = 2048;
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void acknowledgedBlocksSurviveSigkill_nvm_3_2_6_and_5_27_1_4() throws Exception
    {
        final Path file = dir.resolve("durable.img");
        final SplittableRandom random = new SplittableRandom(20240601);
        // The round each block was last acknowledged in; absent: unknown (never written or in flight).
        final Map<Long, Integer> expected = new HashMap<>();
        int totalAcknowledged = 0;
        for (int round = 1; round <= ROUNDS; round++)
        {
            final int killAfter = 20 + random.nextInt(150);
            final Process child = startChild(file, round, random.nextLong());
            int acknowledged = 0;
            boolean killed = false;
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    if (line.startsWith("W "))
                    {
                        expected.remove(Long.parseLong(line.substring(2)));
                    }
                    else if (line.startsWith("A "))
                    {
                        expected.put(Long.parseLong(line.substring(2)), round);
                        acknowledged++;
                        if (acknowledged >= killAfter && !killed)
                        {
                            // SIGKILL through the handle: Process.destroyForcibly would also close the pipe,
                            // and the lines the child printed before it died count too.
                            child.toHandle().destroyForcibly();
                            killed = true;
                        }
                    }
                }
            }
            finally
            {
                child.destroyForcibly();
                assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child did not die");
            }
            assertTrue(killed, "round " + round + ": the child ended before it was killed (exit " + child.exitValue() + ")");
            assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
            totalAcknowledged += acknowledged;
            verify(file, expected, round);
        }
        assertTrue(totalAcknowledged >= ROUNDS * 20, "acknowledged blocks checked: " + totalAcknowledged);
    }

    private Process startChild(final Path file, final int round, final long seed) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djnr.ffi.x86asm.enabled=false");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DurabilityChild.class.getName());
        command.add(file.toString());
        command.add(Integer.toString(BLOCKS));
        command.add(Integer.toString(round));
        command.add(Long.toString(seed));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A new controller on the file reads every acknowledged block with the contents of its round. */
    private static void verify(final Path file, final Map<Long, Integer> expected, final int afterRound)
    {
        try (RawHost host = RawHost.create(DurabilityChild.config(file, BLOCKS)))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 16);
            final RawHost.Dma data = host.allocate(DurabilityChild.BLOCK);
            for (final Map.Entry<Long, Integer> block : expected.entrySet())
            {
                final long lba = block.getKey();
                final int round = block.getValue();
                assertEquals(Status.SUCCESS, host.execute(queue,
                    RawHost.io(Opcodes.NVM_READ, 1, lba, 1, data.iova, 0)).status());
                for (int w = 0; w < DurabilityChild.BLOCK / 8; w++)
                {
                    if (data.buffer.getLong(w * 8) != DurabilityChild.word(round, lba, w))
                    {
                        throw new AssertionError("after round " + afterRound + ": block " + lba
                            + " acknowledged in round " + round + " differs at word " + w);
                    }
                }
            }
        }
    }
}
