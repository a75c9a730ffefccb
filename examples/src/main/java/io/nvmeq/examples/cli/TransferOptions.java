package io.nvmeq.examples.cli;

import io.nvmeq.examples.io.NumberConverters;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that say which blocks a read or write covers, named as in nvme-cli ({@code -s}, {@code -c},
 * {@code -z}, {@code -n}). One difference, on purpose: {@code --block-count} is the number of blocks (one-based),
 * where nvme-cli's is zero-based (its {@code -c 0} means one block).
 */
final class TransferOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(
        names = {"-s", "--start-block"},
        required = true,
        paramLabel = "LBA",
        converter = NumberConverters.Number.class,
        description = "First logical block (decimal or 0x hex).")
    long startBlock;

    @Option(
        names = {"-c", "--block-count"},
        paramLabel = "N",
        converter = NumberConverters.Number.class,
        description = "Number of blocks, ONE-based: -c 1 is one block (nvme-cli's -c is zero-based).")
    Long blockCount;

    @Option(
        names = {"-z", "--data-size"},
        paramLabel = "BYTES",
        converter = NumberConverters.Size.class,
        description = "Bytes to transfer (4096, 0x1000, 64k, 1m); rounded up to whole blocks.")
    Long dataSize;

    @Option(
        names = {"-n", "--namespace", "--namespace-id"},
        paramLabel = "NSID",
        description = "Namespace id (default: the one of an nvme://BDF/NSID device, else 1).")
    Integer namespace;

    /** "1 block", "8 blocks". */
    static String blocks(final long count)
    {
        return count == 1 ? "1 block" : count + " blocks";
    }

    /** The blocks to transfer and how many of their bytes matter (the rest of the last block is padding). */
    record Extent(long blocks, long bytes)
    {
    }

    /**
     * Checks what can be checked without the device, before it is opened: counts and sizes are positive, the
     * start block is not negative, and the size of the transfer is given (or comes from {@code fallbackBytes}).
     *
     * @param fallbackBytes as for {@link #extent}
     * @throws ParameterException (exit status 2) naming the wrong option
     */
    void check(final long fallbackBytes)
    {
        if (blockCount != null && blockCount <= 0)
        {
            throw usage("--block-count must be at least 1 (it counts blocks, one-based), not " + blockCount);
        }
        if (dataSize != null && dataSize <= 0)
        {
            throw usage("--data-size must be at least 1 byte, not " + dataSize);
        }
        if (startBlock < 0)
        {
            throw usage("--start-block must not be negative, not " + startBlock);
        }
        if (namespace != null && namespace < 1)
        {
            throw usage("--namespace-id must be 1 or more, not " + namespace);
        }
        if (blockCount == null && dataSize == null)
        {
            if (fallbackBytes < 0)
            {
                throw usage("say how much to transfer: --block-count N or --data-size BYTES");
            }
            if (fallbackBytes == 0)
            {
                throw usage("nothing to transfer: the data is empty");
            }
        }
    }

    private ParameterException usage(final String message)
    {
        // Outside a command line (unit tests) there is no command to blame; an empty one stands in.
        return new ParameterException(mixee != null ? mixee.commandLine() : new CommandLine(CommandSpec.create()), message);
    }

    /**
     * @param fallbackBytes the size to use when neither --block-count nor --data-size was given (the length of
     *                      the --data file of a write), or -1 when there is none
     * @throws ParameterException when the sizes are missing or contradict each other
     */
    Extent extent(final int blockSize, final long fallbackBytes)
    {
        check(fallbackBytes);
        if (blockCount != null)
        {
            final long blockBytes = Math.multiplyExact(blockCount, (long)blockSize);
            if (dataSize != null && dataSize > blockBytes)
            {
                throw usage("--data-size " + dataSize + " does not fit in --block-count " + blockCount +
                    " blocks of " + blockSize + " bytes");
            }
            return new Extent(blockCount, dataSize != null ? dataSize : blockBytes);
        }
        final long bytes = dataSize != null ? dataSize : fallbackBytes;
        return new Extent((bytes + blockSize - 1) / blockSize, bytes);
    }
}
