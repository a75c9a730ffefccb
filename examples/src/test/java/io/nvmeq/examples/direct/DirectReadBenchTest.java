package io.nvmeq.examples.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The O_DIRECT reader against a file whose every 4 KiB block holds its own offset (or that plus one, which every
 * read must then notice): it must read the right blocks.
 */
class DirectReadBenchTest
{
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 64;

    @TempDir
    Path dir;

    private Path numberedFile(final long delta) throws IOException
    {
        final Path file = dir.resolve("blocks.img");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < BLOCKS; i++)
            {
                block.clear();
                block.putLong(0, i * BLOCK + delta);
                channel.write(block, i * BLOCK);
            }
        }
        return file;
    }

    private static DirectReadBench.Result runOrSkip(final Path file) throws Exception
    {
        try
        {
            return DirectReadBench.run(file, BLOCK, 3, 0.3, 0, true);
        }
        catch (final IOException ex)
        {
            // tmpfs and some overlay file systems refuse O_DIRECT with EINVAL.
            Assumptions.assumeTrue(ex.getMessage() == null || !ex.getMessage().contains("Invalid argument"),
                "this file system refuses O_DIRECT: " + ex);
            throw ex;
        }
    }

    @Test
    void everyReadGetsTheBlockAtItsOffset() throws Exception
    {
        final DirectReadBench.Result result = runOrSkip(numberedFile(0));
        assertTrue(result.reads() > 0, "no read completed");
        assertEquals(result.reads(), result.latencyNanos().getTotalCount());
    }

    @Test
    void aBlockWithTheWrongContentFailsTheRun() throws Exception
    {
        final Path file = numberedFile(1);
        final IOException ex = assertThrows(IOException.class, () -> runOrSkip(file));
        assertTrue(ex.getMessage().matches("the block at (\\d+) holds \\d+"), ex.getMessage());
        final long offset = Long.parseLong(ex.getMessage().split(" ")[3]);
        assertTrue(ex.getMessage().endsWith(" holds " + (offset + 1)), ex.getMessage());
    }

    @Test
    void badParametersAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> DirectReadBench.run(dir, 1000, 1, 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> DirectReadBench.run(dir, 4096, 0, 1, 0, false));
    }
}
