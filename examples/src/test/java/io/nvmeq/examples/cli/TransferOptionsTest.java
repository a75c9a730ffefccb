package io.nvmeq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.ParameterException;

class TransferOptionsTest
{
    private static TransferOptions options(final Long blockCount, final Long dataSize)
    {
        final TransferOptions options = new TransferOptions();
        options.startBlock = 0;
        options.blockCount = blockCount;
        options.dataSize = dataSize;
        return options;
    }

    @Test
    void blockCountIsOneBased()
    {
        assertEquals(new TransferOptions.Extent(1, 512), options(1L, null).extent(512, -1));
        assertEquals(new TransferOptions.Extent(8, 4096 * 8), options(8L, null).extent(4096, -1));
    }

    @Test
    void dataSizeRoundsUpToWholeBlocks()
    {
        assertEquals(new TransferOptions.Extent(1, 1), options(null, 1L).extent(512, -1));
        assertEquals(new TransferOptions.Extent(2, 513), options(null, 513L).extent(512, -1));
        assertEquals(new TransferOptions.Extent(3, 1000), options(3L, 1000L).extent(512, -1));
        assertEquals(new TransferOptions.Extent(2, 600), options(null, null).extent(512, 600));
    }

    @Test
    void refusesMissingZeroAndContradictorySizes()
    {
        assertThrows(ParameterException.class, () -> options(null, null).extent(512, -1));
        assertThrows(ParameterException.class, () -> options(0L, null).extent(512, -1));
        assertThrows(ParameterException.class, () -> options(null, 0L).extent(512, -1));
        assertThrows(ParameterException.class, () -> options(null, null).extent(512, 0));
        assertThrows(ParameterException.class, () -> options(1L, 513L).extent(512, -1));
    }
}
