package io.nvmeq.examples.bench;

import static io.nvmeq.examples.bench.Cli.nvmeq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.nvmeq.examples.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --verify} that verifies: a job that only writes reads its region back at its end and checks every block
 * against its last acknowledged write, and {@code --verify_only} later does the same from the saved verify state,
 * so that an older, intact version of a block (a lost write) fails where offset and CRC alone would pass it.
 */
class VerifyTest
{
    private static final int BS = 4096;

    @TempDir
    Path dir;

    /** The co-located clients: told chains of operations, operations told one by one, and by calls. */
    @ParameterizedTest(name = "--client={0}")
    @ValueSource(strings = {"colocated", "tell", "local"})
    void aWriteOnlyJobReadsBackAndChecksWhatItWrote(final String client)
    {
        final Cli run = nvmeq("bench", "--filename=emu:memory?size=4m", "--rw=randwrite", "--iodepth=4",
            "--size=1m", "--verify=crc32c", "--verify_state_save=0", "--output-format=normal,json", "--client=" + client);
        assertEquals(0, run.exitCode(), run::toString);
        final Object job = Json.at(Json.parse(run.jsonLine()), "jobs", 0);
        assertEquals(0.0, Json.number(job, "read", "total_ios"), "the workload itself only writes");
        assertEquals(256.0, Json.number(job, "nvmeq", "verify", "read_back"), run::toString);
        assertEquals(Boolean.TRUE, Json.at(job, "nvmeq", "verify", "ok"));
        assertTrue(run.out().contains("verify       : crc32c, 256 read(s) checked: OK"), run::toString);
        assertTrue(run.out().contains("256 block(s) read back after the writes"), run::toString);
    }

    @Test
    void verifyOnlyRefusesAnOlderIntactVersionOfABlock() throws IOException
    {
        final Path file = dir.resolve("blocks.dat");
        final String device = "--filename=posix:" + file;
        final String state = "--verify_state_file=" + dir.resolve("blocks.state");
        // First pass: every block written once (write sequence 1).
        final Cli first = nvmeq("bench", device, "--rw=write", "--size=256k", "--verify=crc32c", state);
        assertEquals(0, first.exitCode(), first::toString);
        final ByteBuffer old = ByteBuffer.allocate(BS);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.read(old, 9L * BS);
        }
        // Second pass: every block written twice (sequence 2), the state saved says so.
        final Cli second = nvmeq("bench", device, "--rw=write", "--size=256k", "--io_size=512k", "--verify=crc32c",
            state);
        assertEquals(0, second.exitCode(), second::toString);
        final Cli clean = nvmeq("bench", device, "--rw=write", "--size=256k", "--verify=crc32c", "--verify_only",
            state);
        assertEquals(0, clean.exitCode(), clean::toString);
        assertTrue(clean.out().contains("verify_only: 64 block(s) of 4096 bytes checked: OK"), clean::toString);

        // Behind the job's back: block 9 goes back to its first version, intact, at its own offset.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(old.flip(), 9L * BS);
        }
        final Cli stale = nvmeq("bench", device, "--rw=write", "--size=256k", "--verify=crc32c", "--verify_only",
            state);
        assertEquals(ExitCodes.MISMATCH, stale.exitCode(), stale::toString);
        assertTrue(stale.err().contains("block at offset 36864") && stale.err().contains("write sequence 1, " +
            "expected 2 (a lost or stale write)"), stale::toString);

        // Without the state only offset and CRC can be checked, and the command says so.
        final Cli blind = nvmeq("bench", device, "--rw=write", "--size=256k", "--verify=crc32c", "--verify_only",
            "--verify_state_file=" + dir.resolve("none.state"));
        assertEquals(0, blind.exitCode(), blind::toString);
        assertTrue(blind.err().contains("an older intact version of a block would pass"), blind::toString);
    }

    @Test
    void aStateForAnotherRegionIsRefused()
    {
        final Path file = dir.resolve("region.dat");
        final String state = "--verify_state_file=" + dir.resolve("region.state");
        assertEquals(0, nvmeq("bench", "--filename=posix:" + file, "--rw=write", "--size=64k", "--verify=crc32c",
            state).exitCode());
        final Cli other = nvmeq("bench", "--filename=posix:" + file, "--size=32k", "--verify=crc32c",
            "--verify_only", state);
        assertEquals(ExitCodes.USAGE, other.exitCode(), other::toString);
        assertTrue(other.err().contains("does not fit this job"), other::toString);
    }
}
