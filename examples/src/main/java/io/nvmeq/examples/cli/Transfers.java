package io.nvmeq.examples.cli;

import io.nvmeq.actors.Nvmeq;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.examples.io.BlockTransfer;

/** How the read and write commands size and check a transfer before anything reaches the device. */
final class Transfers
{
    /** Bytes per command the command line aims for; the controller's MDTS may lower it. */
    static final int PREFERRED_COMMAND_BYTES = 128 * 1024;

    /** Commands in flight per queue pair, so that a long transfer keeps every queue pair busy. */
    static final int COMMANDS_PER_QUEUE_PAIR = 4;

    private Transfers()
    {
    }

    static BlockTransfer transfer(final Nvmeq nvmeq, final NamespaceInfo namespace)
    {
        final int blocksPerCommand = BlockTransfer.blocksPerCommand(
            nvmeq.controller().maxTransferBytes(), namespace.blockSize(), PREFERRED_COMMAND_BYTES);
        final int window = Math.max(1, nvmeq.queuePairs() * COMMANDS_PER_QUEUE_PAIR);
        return new BlockTransfer(nvmeq, namespace.nsid(), namespace.blockSize(), blocksPerCommand, window);
    }

    /**
     * A transfer that needs several commands is checked whole against the namespace first, so that a range that
     * runs past the end writes nothing (the first commands would otherwise succeed before one is refused). A
     * single command goes to the driver as it is, and the driver's own typed refusal is what the user sees.
     */
    static void checkRange(
        final NamespaceInfo namespace,
        final BlockTransfer transfer,
        final long startBlock,
        final long blocks,
        final String verb)
    {
        final boolean pastTheEnd = startBlock >= namespace.blocks() || blocks > namespace.blocks() - startBlock;
        if (blocks > transfer.blocksPerCommand() && pastTheEnd)
        {
            throw new CliFailure(verb + " refused: LBA Out of Range: blocks " + startBlock + ".." +
                (startBlock + blocks - 1) + " lie past the end of namespace " + namespace.nsid() + " (" +
                namespace.blocks() + " blocks); nothing was transferred");
        }
    }
}
