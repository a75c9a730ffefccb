package io.nvmeq.examples.io;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.actors.Nvmeq;

/**
 * A read or write of any number of blocks through a {@link BlockPort} (the facade's queue pairs, or a remote
 * namespace's session): split into commands of at most
 * {@code blocksPerCommand} blocks, with up to {@code window} commands in flight, each with its own DMA buffer
 * taken round-robin from a small ring, and the commands dealt round-robin over every queue pair (the facade
 * would otherwise send everything from one thread to one queue pair). Data reaches the {@link Sink} in LBA
 * order.
 *
 * <p>No DMA buffer is freed while a command that uses it may still be in flight: when a command fails or times
 * out, the others are waited for (bounded) before their buffers go back, and a buffer whose command never
 * answered is left to be freed when the device is closed.
 */
public final class BlockTransfer
{
    /** How long one command may take before the transfer gives up on it. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /** Where the bytes of a write come from. {@code position} is the byte offset within the whole transfer. */
    @FunctionalInterface
    public interface Source
    {
        void fill(UnsafeBuffer buffer, int length, long position) throws IOException;
    }

    /** Where the bytes of a read go, in LBA order. {@code position} is the byte offset within the whole transfer. */
    @FunctionalInterface
    public interface Sink
    {
        void accept(UnsafeBuffer buffer, int length, long position) throws IOException;
    }

    private final BlockPort port;
    private final int nsid;
    private final int blockSize;
    private final int blocksPerCommand;
    private final int window;
    private final long[] commandsPerQueue;
    private long commands;

    /**
     * @param blocksPerCommand at most this many blocks per command (see {@link #blocksPerCommand})
     * @param window           at most this many commands in flight at once
     */
    public BlockTransfer(
        final Nvmeq nvmeq, final int nsid, final int blockSize, final int blocksPerCommand, final int window)
    {
        this(BlockPort.of(nvmeq), nsid, blockSize, blocksPerCommand, window);
    }

    /** As above, through any {@link BlockPort} (a remote namespace's, for one). */
    public BlockTransfer(
        final BlockPort port, final int nsid, final int blockSize, final int blocksPerCommand, final int window)
    {
        if (blockSize <= 0 || blocksPerCommand <= 0 || window <= 0)
        {
            throw new IllegalArgumentException(
                "block size, blocks per command and window must be positive: " + blockSize + ", " +
                blocksPerCommand + ", " + window);
        }
        this.port = port;
        this.nsid = nsid;
        this.blockSize = blockSize;
        this.blocksPerCommand = blocksPerCommand;
        this.window = window;
        this.commandsPerQueue = new long[port.queues()];
    }

    /**
     * The blocks one command should carry: {@code preferredBytes} worth, but never more than the controller's
     * maximum data transfer size ({@code maxTransferBytes}, 0 meaning no limit) nor 65536 blocks (the 16-bit
     * NLB field), and at least one block.
     */
    public static int blocksPerCommand(final long maxTransferBytes, final int blockSize, final int preferredBytes)
    {
        long bytes = preferredBytes;
        if (maxTransferBytes > 0)
        {
            bytes = Math.min(bytes, maxTransferBytes);
        }
        return (int)Math.max(1, Math.min(65536, bytes / blockSize));
    }

    public int blocksPerCommand()
    {
        return blocksPerCommand;
    }

    /** Commands submitted so far by this transfer object. */
    public long commands()
    {
        return commands;
    }

    /** Commands submitted so far to queue pair {@code queue} (0 .. queuePairs - 1). */
    public long commands(final int queue)
    {
        return commandsPerQueue[queue];
    }

    public void write(final long lba, final long blocks, final boolean fua, final Source source) throws IOException
    {
        run(lba, blocks, fua, source, null);
    }

    public void read(final long lba, final long blocks, final Sink sink) throws IOException
    {
        run(lba, blocks, false, null, sink);
    }

    private void run(final long lba, final long blocks, final boolean fua, final Source source, final Sink sink)
        throws IOException
    {
        if (blocks <= 0)
        {
            throw new IllegalArgumentException("a transfer needs at least one block, not " + blocks);
        }
        final long commandCount = (blocks + blocksPerCommand - 1) / blocksPerCommand;
        final int slots = (int)Math.min(window, commandCount);
        final BlockPort.Buffer[] buffers = new BlockPort.Buffer[slots];
        final Slot[] pending = new Slot[slots];
        try
        {
            for (int i = 0; i < slots; i++)
            {
                buffers[i] = port.allocate((int)Math.min(blocks, blocksPerCommand) * blockSize);
            }
            int slot = 0;
            for (long done = 0; done < blocks; done += blocksPerCommand)
            {
                complete(pending, buffers, slot, sink);
                final int count = (int)Math.min(blocksPerCommand, blocks - done);
                final int length = count * blockSize;
                final long position = done * blockSize;
                final int queue = (int)(commands % commandsPerQueue.length);
                final CompletionStage<Void> stage;
                if (source != null)
                {
                    source.fill(buffers[slot].buffer(), length, position);
                    stage = port.write(queue, nsid, lba + done, count, buffers[slot], fua);
                }
                else
                {
                    stage = port.read(queue, nsid, lba + done, count, buffers[slot]);
                }
                pending[slot] = new Slot(stage.toCompletableFuture(), lba + done, count, length, position);
                commands++;
                commandsPerQueue[queue]++;
                slot = (slot + 1) % slots;
            }
            for (int i = 0; i < slots; i++)
            {
                complete(pending, buffers, slot, sink);
                slot = (slot + 1) % slots;
            }
        }
        finally
        {
            release(pending, buffers);
        }
    }

    /** Wait for the command in {@code slot}, if any, and hand a read's data to the sink. */
    private void complete(final Slot[] pending, final BlockPort.Buffer[] buffers, final int slot, final Sink sink)
        throws IOException
    {
        final Slot command = pending[slot];
        if (command == null)
        {
            return;
        }
        final String what = (sink != null ? "Read" : "Write") + " of " + command.blocks + " blocks at LBA " +
            command.lba + " of namespace " + nsid;
        try
        {
            Await.result(command.future, COMMAND_TIMEOUT, what);
        }
        catch (final Await.OperationTimedOutException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            pending[slot] = null;
            throw ex;
        }
        pending[slot] = null;
        if (sink != null)
        {
            sink.accept(buffers[slot].buffer(), command.length, command.position);
        }
    }

    /**
     * Give buffers back, but only those that no command in flight still uses. Commands still in flight (after a
     * failure) are waited for together, for at most one {@link #COMMAND_TIMEOUT}.
     */
    private static void release(final Slot[] pending, final BlockPort.Buffer[] buffers)
    {
        final long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        for (int i = 0; i < buffers.length; i++)
        {
            if (pending[i] != null && !settled(pending[i].future, deadline))
            {
                continue;
            }
            if (buffers[i] != null)
            {
                buffers[i].close();
            }
        }
    }

    private static boolean settled(final CompletableFuture<Void> future, final long deadline)
    {
        try
        {
            future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        }
        catch (final ExecutionException ex)
        {
            return true;
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Slot(CompletableFuture<Void> future, long lba, int blocks, int length, long position)
    {
    }
}
