package io.nvmeq.examples.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.examples.io.BlockTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeq read}: read a range of blocks into a file, or show them as a hex dump, like {@code nvme read}. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = {
        "Read blocks from a namespace, like nvme-cli's 'nvme read'. Without --data the bytes are shown as a "
            + "hex dump (offsets count from the first byte read; repeated lines are shown as '*'); with --data - "
            + "the raw bytes go to stdout. The status line goes to stderr.",
        "emu:memory starts empty in every process (reads return zeroes); use emu:file:/abs/path to read what an "
            + "earlier command wrote."
    },
    sortOptions = false)
final class ReadCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NvmeqCli cli;

    @Mixin
    private DeviceOption device;

    @Mixin
    private TransferOptions range;

    @Option(
        names = {"-d", "--data"},
        paramLabel = "FILE",
        description = "Write the data to FILE (replaced only once the read succeeded), or to stdout with '-': "
            + "exactly --data-size bytes, else the whole blocks.")
    private Path file;

    @Override
    public Integer call() throws IOException
    {
        range.check(-1);
        final int nsid = device.namespace(range.namespace);
        try (Nvmeq nvmeq = device.open())
        {
            final NamespaceInfo namespace = nvmeq.namespace(nsid);
            final TransferOptions.Extent extent = range.extent(namespace.blockSize(), -1);
            final BlockTransfer transfer = Transfers.transfer(nvmeq, namespace);
            Transfers.checkRange(namespace, transfer, range.startBlock, extent.blocks(), "Read");
            final long bytes = extent.bytes();
            if (file != null)
            {
                final byte[] chunk = new byte[transfer.blocksPerCommand() * namespace.blockSize()];
                final Producer producer = (out) -> transfer.read(range.startBlock, extent.blocks(), (buffer, length, position) ->
                {
                    final int n = (int)Math.max(0, Math.min(length, bytes - position));
                    buffer.getBytes(0, chunk, 0, n);
                    out.write(chunk, 0, n);
                });
                final boolean toStdout = STDIO.equals(file.toString());
                if (toStdout)
                {
                    final OutputStream stdout = cli.stdout();
                    producer.writeTo(stdout);
                    stdout.flush();
                }
                else
                {
                    writeFile(file, producer);
                }
                final PrintWriter err = spec.commandLine().getErr();
                err.printf("read: %s (%d bytes) at LBA %d of namespace %d into %s (%d bytes): Success%n",
                    TransferOptions.blocks(extent.blocks()), extent.blocks() * namespace.blockSize(), range.startBlock,
                    namespace.nsid(), toStdout ? "stdout" : file, bytes);
                err.flush();
            }
            else
            {
                final HexDump dump = new HexDump(spec.commandLine().getOut());
                transfer.read(range.startBlock, extent.blocks(), (buffer, length, position) ->
                    dump.append(buffer, 0, (int)Math.max(0, Math.min(length, bytes - position))));
                dump.finish();
            }
            return ExitCodes.OK;
        }
    }

    /** The {@code --data} that means stdout (read) or stdin (write), as in nvme-cli and most Unix tools. */
    static final String STDIO = "-";

    @FunctionalInterface
    private interface Producer
    {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * A regular file (or a new one) is written under a temporary name next to it and renamed into place only
     * once the read succeeded, so that a failed read leaves an existing file as it was. Anything else
     * ({@code /dev/stdout}, a pipe) is written directly.
     */
    private static void writeFile(final Path file, final Producer producer) throws IOException
    {
        if (Files.exists(file) && !Files.isRegularFile(file))
        {
            try (OutputStream out = Files.newOutputStream(file))
            {
                producer.writeTo(out);
            }
            return;
        }
        final Path absolute = file.toAbsolutePath();
        final Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".part");
        try
        {
            try (OutputStream out = Files.newOutputStream(temporary))
            {
                producer.writeTo(out);
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temporary);
        }
    }
}
