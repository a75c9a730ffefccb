package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.examples.io.BlockTransfer;
import io.nvmeq.examples.io.DataPattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq write}: write a file's bytes or a pattern to a range of blocks, like {@code nvme write}. */
@Command(
    name = "write",
    mixinStandardHelpOptions = true,
    description = {
        "Write blocks to a namespace, like nvme-cli's 'nvme write', from a file or a generated pattern.",
        "A short last block is padded with zeroes. The status line goes to stderr. Data written to emu:memory is gone when this command exits; "
            + "write to emu:file:/abs/path to read it back with a later command."
    },
    sortOptions = false)
final class WriteCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NvmeqCli cli;

    @Mixin
    private DeviceOption device;

    @Mixin
    private TransferOptions range;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    @Option(
        names = {"-f", "--force-unit-access", "--fua"},
        description = "Set FUA: each write completes only once its data is on non-volatile media.")
    private boolean fua;

    static final class Source
    {
        @Option(
            names = {"-d", "--data"},
            paramLabel = "FILE",
            description = "Read the data from FILE, or from stdin with '-' (then -c or -z says how much); "
                + "without -c/-z the whole file is written.")
        Path file;

        @Option(
            names = "--pattern",
            paramLabel = "PATTERN",
            converter = Converters.Pattern.class,
            description = "Generate the data: one byte repeated (0xAB) or a pseudo-random stream (random:SEED).")
        DataPattern pattern;
    }

    @Override
    public Integer call() throws IOException
    {
        final boolean fromStdin = source.file != null && ReadCommand.STDIO.equals(source.file.toString());
        final long fileBytes = source.file != null && !fromStdin ? regularFileSize(source.file) : -1;
        range.check(fileBytes);
        final int nsid = device.namespace(range.namespace);
        final String report;
        // Success is said after close: a shutdown that could not flush fails the command (ShutdownFailedException).
        try (Nvmeq nvmeq = device.open())
        {
            final NamespaceInfo namespace = nvmeq.namespace(nsid);
            final TransferOptions.Extent extent = range.extent(namespace.blockSize(), fileBytes);
            if (fileBytes >= 0 && fileBytes < extent.bytes())
            {
                throw new CliFailure(source.file + " holds " + fileBytes + " bytes, fewer than the " + extent.bytes() +
                    " to write; nothing was written");
            }
            final BlockTransfer transfer = Transfers.transfer(nvmeq, namespace);
            Transfers.checkRange(namespace, transfer, range.startBlock, extent.blocks(), "Write");
            if (fromStdin)
            {
                transfer.write(range.startBlock, extent.blocks(), fua, fromStream(cli.stdin(), extent.bytes()));
            }
            else if (source.file != null)
            {
                try (InputStream in = Files.newInputStream(source.file))
                {
                    transfer.write(range.startBlock, extent.blocks(), fua, fromStream(in, extent.bytes()));
                }
            }
            else
            {
                final DataPattern pattern = source.pattern;
                transfer.write(range.startBlock, extent.blocks(), fua,
                    (buffer, length, position) -> pattern.fill(buffer, 0, length, position));
            }
            report = String.format("write: %s (%d bytes) at LBA %d of namespace %d from %s%s: Success%n",
                TransferOptions.blocks(extent.blocks()), extent.blocks() * namespace.blockSize(), range.startBlock,
                namespace.nsid(),
                fromStdin ? "stdin" : source.file != null ? source.file : "pattern " + source.pattern,
                fua ? " with FUA" : "");
        }
        final PrintWriter err = spec.commandLine().getErr();
        err.print(report);
        err.flush();
        return ExitCodes.OK;
    }

    /** Fills each command's buffer from the stream; bytes past {@code bytes} (the last block's tail) are zero. */
    private static BlockTransfer.Source fromStream(final InputStream in, final long bytes)
    {
        final byte[] chunk = new byte[64 * 1024];
        return (buffer, length, position) ->
        {
            final int wanted = (int)Math.max(0, Math.min(length, bytes - position));
            int filled = 0;
            while (filled < wanted)
            {
                final int n = in.readNBytes(chunk, 0, Math.min(chunk.length, wanted - filled));
                if (n == 0)
                {
                    throw new CliFailure("the data file ended early, after " + (position + filled) + " bytes");
                }
                buffer.putBytes(filled, chunk, 0, n);
                filled += n;
            }
            buffer.setMemory(wanted, length - wanted, (byte)0);
        };
    }

    private static long regularFileSize(final Path file) throws IOException
    {
        if (Files.isDirectory(file))
        {
            throw new CliFailure(file + " is a directory, not a data file");
        }
        return Files.size(file);
    }
}
