package io.nvmeq.examples.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AppendLogTest
{
    private static final int IN_FLIGHT = 8;

    @TempDir
    Path dir;

    private String image()
    {
        return "emu:file:" + dir.resolve("log.img") + "?size=8m&bs=4096";
    }

    /** Sizes from empty to several blocks, so that records of one and of many blocks alternate. */
    private static int size(final long sequence)
    {
        return (int)((sequence * 7919) % 20_000);
    }

    private static List<Long> appendAll(final AppendLog log, final long from, final int count)
    {
        final List<CompletableFuture<Long>> appends = new ArrayList<>();
        for (long sequence = from; sequence < from + count; sequence++)
        {
            appends.add(log.append(Main.payload(sequence, size(sequence))));
        }
        final List<Long> acknowledged = new ArrayList<>();
        for (final CompletableFuture<Long> append : appends)
        {
            acknowledged.add(append.join());
        }
        return acknowledged;
    }

    private static void assertRecords(final AppendLog log, final long count)
    {
        final long[] seen = {0};
        log.forEach((sequence, payload) ->
        {
            assertEquals(seen[0]++, sequence);
            assertArrayEquals(Main.payload(sequence, size(sequence)), payload, "record " + sequence);
        });
        assertEquals(count, seen[0]);
    }

    @Test
    void reopeningAnEmuFileImageRecoversEveryAcknowledgedRecord()
    {
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            assertEquals(0, log.recovered());
            final List<Long> acknowledged = appendAll(log, 0, 300);
            for (int i = 0; i < acknowledged.size(); i++)
            {
                assertEquals(i, acknowledged.get(i), "acknowledged in sequence order with its sequence number");
            }
        }
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            assertEquals(300, log.recovered());
            assertRecords(log, 300);
            appendAll(log, 300, 25);
        }
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            assertEquals(325, log.recovered());
            assertRecords(log, 325);
        }
    }

    @Test
    void recoveryStopsAtATornRecordAndTheNextAppendTakesItsPlace()
    {
        final long endLba;
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            appendAll(log, 0, 10);
        }
        // A record whose header is whole but whose second block never reached the media: the CRC fails.
        try (AppendLog log = Main.onNvmeq(image(), 1))
        {
            endLba = endLba(log);
        }
        final byte[] torn = new byte[2 * Main.BLOCK_SIZE];
        RecordFormat.encodeRecord(torn, 10, logIdOf(), Main.payload(10, Main.BLOCK_SIZE));
        java.util.Arrays.fill(torn, Main.BLOCK_SIZE, torn.length, (byte)0);
        try (NvmeqBlockDevice device = rawDevice())
        {
            device.writeDurable(endLba, torn, 2).join();
        }
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            assertEquals(10, log.recovered(), "the torn record is not recovered");
            assertEquals(10L, log.append(Main.payload(10, size(10))).join());
        }
        try (AppendLog log = Main.onNvmeq(image(), IN_FLIGHT))
        {
            assertEquals(11, log.recovered());
            assertRecords(log, 11);
        }
    }

    @Test
    void theSameLogOnAFileChannelRecoversEveryRecordToo() throws IOException
    {
        final Path file = dir.resolve("log.dat");
        for (final FileChannelBlockDevice.Durability durability : FileChannelBlockDevice.Durability.values())
        {
            final long before;
            try (AppendLog log = Main.onFile(file, 2048, durability, IN_FLIGHT))
            {
                before = log.recovered();
                appendAll(log, before, 100);
            }
            try (AppendLog log = Main.onFile(file, 2048, durability, IN_FLIGHT))
            {
                assertEquals(before + 100, log.recovered());
                assertRecords(log, before + 100);
            }
        }
    }

    @Test
    void aRecordThatDoesNotFitIsRefusedAndChangesNothing()
    {
        try (AppendLog log = Main.onFile(dir.resolve("small.dat"), 4, FileChannelBlockDevice.Durability.DSYNC, 1))
        {
            assertThrows(IllegalArgumentException.class, () -> log.append(new byte[log.maxPayload + 1]));
            log.append(new byte[100]).join();
            log.append(new byte[100]).join();
            assertThrows(LogFullException.class, () -> log.append(new byte[5000]));
            log.append(new byte[100]).join();
            assertEquals(3, log.size());
        }
    }

    /** The block after the last record, found by reading each record's length as recovery does. */
    private long endLba(final AppendLog log)
    {
        final long[] lba = {1};
        log.forEach((sequence, payload) -> lba[0] += RecordFormat.blocksFor(payload.length, Main.BLOCK_SIZE));
        return lba[0];
    }

    private long logIdOf()
    {
        try (NvmeqBlockDevice device = rawDevice())
        {
            final byte[] superblock = new byte[Main.BLOCK_SIZE];
            device.read(0, superblock, 1);
            return RecordFormat.decodeSuperblock(superblock, Main.BLOCK_SIZE);
        }
    }

    private NvmeqBlockDevice rawDevice()
    {
        return new NvmeqBlockDevice(io.nvmeq.actors.Nvmeq.open(image()), 1, Main.MAX_RECORD_BLOCKS);
    }
}
