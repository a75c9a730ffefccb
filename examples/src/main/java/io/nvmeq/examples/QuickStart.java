package io.nvmeq.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.ControllerInfo;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.examples.cli.ExitCodes;
import io.nvmeq.examples.io.Await;
import io.nvmeq.examples.io.BlockTransfer;
import io.nvmeq.examples.io.DataPattern;

/**
 * The first program to run: open a device (the configured {@code nvmeq.device}, by default the emulated
 * controller {@code emu:memory?size=64m}), write a pseudo-random pattern with commands dealt round-robin over
 * every queue pair and many in flight, flush, read it all back and check it byte for byte. Exit status 0 when
 * the data matches, 3 when it does not, 1 when an operation fails.
 *
 * <pre>
 * java -jar examples/target/nvmeq.jar quickstart [--device URI] [--queue-pairs N]
 * java -cp examples/target/nvmeq.jar io.nvmeq.examples.QuickStart [URI]
 * </pre>
 */
public final class QuickStart
{

    /** How much of the first namespace is written and read: 4 MiB, or the whole namespace when smaller. */
    static final long REGION_BYTES = 4L << 20;
    static final int COMMAND_BYTES = 64 * 1024;
    static final int COMMANDS_PER_QUEUE_PAIR = 8;
    static final long SEED = 20240917L;

    private QuickStart()
    {
    }

    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
        int status;
        try
        {
            final NvmeqSettings settings = NvmeqSettings.load();
            status = run(args.length > 0 ? settings.withDevice(args[0]) : settings, out);
        }
        catch (final RuntimeException | IOException ex)
        {
            out.flush();
            System.err.println("quickstart: " + ex.getMessage());
            status = ExitCodes.FAILED;
        }
        System.exit(status);
    }

    /**
     * Run the quick start on the device of {@code settings}, reporting to {@code out}.
     *
     * @return {@link ExitCodes#OK} or {@link ExitCodes#MISMATCH}
     * @throws RuntimeException the library's typed exception when an operation fails
     */
    public static int run(final NvmeqSettings settings, final PrintWriter out) throws IOException
    {
        try (Nvmeq nvmeq = Nvmeq.open(settings))
        {
            final ControllerInfo controller = nvmeq.controller();
            final NamespaceInfo namespace = nvmeq.namespaces().get(0);
            final int blockSize = namespace.blockSize();
            final long blocks = Math.min(namespace.bytes(), REGION_BYTES) / blockSize;
            final int queuePairs = nvmeq.queuePairs();
            final int window = queuePairs * COMMANDS_PER_QUEUE_PAIR;
            final int blocksPerCommand = BlockTransfer.blocksPerCommand(
                controller.maxTransferBytes(), blockSize, COMMAND_BYTES);
            final DataPattern pattern = DataPattern.random(SEED);

            out.printf("nvmeq quickstart%n");
            out.printf("  device      : %s%n", settings.device());
            out.printf("  controller  : %s, serial %s, firmware %s, NVMe %s%n",
                controller.model(), controller.serial(), controller.firmware(), controller.version());
            out.printf("  namespace %d : %d blocks of %d bytes (%s)%n",
                namespace.nsid(), namespace.blocks(), blockSize, bytes(namespace.bytes()));

            final BlockTransfer writes =
                new BlockTransfer(nvmeq, namespace.nsid(), blockSize, blocksPerCommand, window);
            writes.write(0, blocks, false, (buffer, length, position) -> pattern.fill(buffer, 0, length, position));
            out.printf("  queue pairs : %d, commands per queue pair: %s (up to %d in flight)%n",
                queuePairs, perQueue(writes, queuePairs), window);
            out.printf("  wrote       : %d blocks (%s) from LBA 0, pattern %s, in %d commands of up to %d blocks%n",
                blocks, bytes(blocks * blockSize), pattern, writes.commands(), blocksPerCommand);

            Await.result(nvmeq.flush(namespace.nsid()), BlockTransfer.COMMAND_TIMEOUT,
                "Flush of namespace " + namespace.nsid());
            out.printf("  flushed     : namespace %d%n", namespace.nsid());

            final Verifier verifier = new Verifier(pattern, blocksPerCommand * blockSize);
            final BlockTransfer reads = new BlockTransfer(nvmeq, namespace.nsid(), blockSize, blocksPerCommand, window);
            reads.read(0, blocks, verifier::check);
            out.printf("  read back   : %d blocks (%s) in %d commands%n",
                blocks, bytes(blocks * blockSize), reads.commands());

            if (verifier.firstMismatch >= 0)
            {
                out.printf("  verified    : MISMATCH: %d bytes differ, the first at byte %d (LBA %d)%n",
                    verifier.mismatchedBytes, verifier.firstMismatch, verifier.firstMismatch / blockSize);
                out.flush();
                return ExitCodes.MISMATCH;
            }
            out.printf("  verified    : OK, all %d bytes read back as written%n", blocks * blockSize);
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String perQueue(final BlockTransfer transfer, final int queuePairs)
    {
        final StringBuilder counts = new StringBuilder();
        for (int queue = 0; queue < queuePairs; queue++)
        {
            counts.append(queue == 0 ? "" : ", ").append(transfer.commands(queue));
        }
        return counts.toString();
    }

    private static String bytes(final long bytes)
    {
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0)
        {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0)
        {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** Compares each chunk read back with the pattern regenerated at the same position. */
    private static final class Verifier
    {
        private final DataPattern pattern;
        private final UnsafeBuffer expected;
        private long firstMismatch = -1;
        private long mismatchedBytes;

        Verifier(final DataPattern pattern, final int chunkBytes)
        {
            this.pattern = pattern;
            this.expected = new UnsafeBuffer(new byte[chunkBytes]);
        }

        void check(final UnsafeBuffer actual, final int length, final long position)
        {
            pattern.fill(expected, 0, length, position);
            for (int i = 0; i < length; i++)
            {
                if (actual.getByte(i) != expected.getByte(i))
                {
                    if (firstMismatch < 0)
                    {
                        firstMismatch = position + i;
                    }
                    mismatchedBytes++;
                }
            }
        }
    }
}
