package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import io.nvmeq.actors.remote.RemoteOutcomeUnknownException;
import io.nvmeq.actors.remote.RemoteUnavailableException;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeException;

/**
 * One queue pair of an {@link Nvmeq}, named by its index ({@code nvmeq.queue(index)}): the requests
 * sent here all go to that queue pair, in the order they are sent. In every method the first {@code int}
 * is the namespace id ({@code nsid}, 1-based, as NVMe numbers namespaces); the queue is this object, so
 * the two can never be mistaken for each other. Thread-safe; one per queue pair, kept by the facade.
 *
 * <p><b>Answers.</b> Each method returns at once, without blocking, with a stage that completes exactly
 * once: normally when the device completed the command, or exceptionally with an {@link NvmeException}
 * that says what happened:
 * <ul>
 *   <li>{@link InvalidRequestException}: refused before anything reached the device (bad namespace, LBA
 *       range past the end, zero or negative counts, a buffer that is null, too small, read-only for a
 *       read, closed, or another controller's; or the facade was closed before the request was sent):
 *       nothing was changed;</li>
 *   <li>{@link ControllerUnavailableException}: close() gave up waiting for the answer of a request it
 *       had sent; its outcome is unknown (it may have run), and the message says so;</li>
 *   <li>{@link BackpressureException}: the queue pair's backlog is full; nothing was sent;</li>
 *   <li>the engine's command errors ({@code CommandFailedException}: the device answered with an error
 *       status; timeouts and resets) and the actor layer's ({@link QueuePairStoppedException},
 *       {@link QueuePairRestartedException}), as {@link IoReply.Failed} describes.</li>
 * </ul>
 * The stage completes on the queue pair's own thread: see {@link Nvmeq} for what that means for
 * dependent stages.
 *
 * <p><b>Buffer paths.</b> A {@link DmaBuffer} (from {@link Nvmeq#allocate}) is always zero-copy: the
 * device reads or writes it directly at its IOVA. A {@link ByteBuffer} is used from its position (left
 * unchanged) and takes the cheapest path its memory allows: registered direct memory
 * ({@link Nvmeq#register}) is zero-copy; other direct memory whose position is dword-aligned gets a
 * temporary IOVA mapping for the request; heap memory, a position that is not dword-aligned, or a
 * moment with no temporary IOVA left go through a bounce buffer of the queue pair (copied in or out).
 * The caller must not touch a buffer until its request is answered.
 *
 * <p><b>On a remote namespace</b> ({@code Nvmeq.open("remote://...")}) there is one queue, index 0: the
 * session with the namespace's server, bound to one queue pair there, so requests keep their order. The
 * {@link ByteBuffer} methods work as above, the data carried as bytes; the {@link DmaBuffer} methods fail
 * with {@link LocalOnlyException} (nothing sent). A stage may also fail with
 * {@link RemoteOutcomeUnknownException} (sent, no answer by the deadline: it may have run) or
 * {@link RemoteUnavailableException} (not sent: no reachable server, or the facade closed), and it
 * completes on the client's cluster thread, see {@link Nvmeq}.
 */
public final class NvmeqQueue
{
    private final int index;
    private final QueueRequests requests;

    NvmeqQueue(final int index, final QueueRequests requests)
    {
        this.index = index;
        this.requests = requests;
    }

    /** This queue pair's index: 0 .. {@link Nvmeq#queuePairs()} - 1. */
    public int index()
    {
        return index;
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at byte {@code offset},
     * zero-copy.
     *
     * @param nsid   namespace id (1-based)
     * @param lba    first logical block
     * @param blocks number of logical blocks (at least 1; larger transfers are split at the device's limit)
     * @param buffer a buffer of this facade, open, with {@code blocks * blockSize} bytes from {@code offset}
     * @param offset byte offset into {@code buffer}; a multiple of 4 (a PRP rule)
     * @return a stage completed by the read's completion (see the class comment for the errors)
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset)
    {
        return requests.read(nsid, lba, blocks, buffer, offset);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at byte {@code offset},
     * zero-copy.
     *
     * @param nsid   namespace id (1-based)
     * @param lba    first logical block
     * @param blocks number of logical blocks (at least 1)
     * @param buffer a buffer of this facade, open, with {@code blocks * blockSize} bytes from {@code offset}
     * @param offset byte offset into {@code buffer}; a multiple of 4
     * @param fua    force unit access: the data is on non-volatile media when the stage completes
     * @return a stage completed by the write's completion
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua)
    {
        return requests.write(nsid, lba, blocks, buffer, offset, fua);
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} from its position (the
     * position is left unchanged); the path (zero-copy, temporary mapping or bounce) follows from the
     * buffer's memory, see the class comment.
     *
     * @param nsid   namespace id (1-based)
     * @param lba    first logical block
     * @param blocks number of logical blocks (at least 1)
     * @param buffer writable, with at least {@code blocks * blockSize} bytes remaining
     * @return a stage completed by the read's completion (for a bounced read: after the copy into {@code buffer})
     */
    public CompletionStage<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
    {
        return requests.read(nsid, lba, blocks, buffer);
    }

    /**
     * Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} from its position (left
     * unchanged); the path follows from the buffer's memory, see the class comment.
     *
     * @param nsid   namespace id (1-based)
     * @param lba    first logical block
     * @param blocks number of logical blocks (at least 1)
     * @param buffer with at least {@code blocks * blockSize} bytes remaining (read-only buffers are fine)
     * @param fua    force unit access: the data is on non-volatile media when the stage completes
     * @return a stage completed by the write's completion
     */
    public CompletionStage<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer buffer,
        final boolean fua)
    {
        return requests.write(nsid, lba, blocks, buffer, fua);
    }

    /**
     * Commits namespace {@code nsid}'s volatile write cache to non-volatile media; no data moves.
     *
     * @param nsid namespace id (1-based)
     * @return a stage completed by the flush's completion
     */
    public CompletionStage<Void> flush(final int nsid)
    {
        return requests.flush(nsid);
    }

    /**
     * Write Zeroes: {@code blocks} blocks from {@code lba} read as zeroes afterwards; no data moves.
     *
     * @param nsid       namespace id (1-based)
     * @param lba        first logical block
     * @param blocks     number of logical blocks, 1..65536 (one command)
     * @param deallocate the device may deallocate the blocks instead of writing them
     * @param fua        force unit access
     * @return a stage completed by the command's completion
     */
    public CompletionStage<Void> writeZeroes(final int nsid, final long lba, final int blocks, final boolean deallocate,
        final boolean fua)
    {
        return requests.writeZeroes(nsid, lba, blocks, deallocate, fua);
    }

    /**
     * Dataset Management, Deallocate (TRIM) of {@code blocks} blocks from {@code lba}: a hint, no data moves.
     *
     * @param nsid   namespace id (1-based)
     * @param lba    first logical block
     * @param blocks number of logical blocks (at least 1)
     * @return a stage completed by the command's completion
     */
    public CompletionStage<Void> deallocate(final int nsid, final long lba, final long blocks)
    {
        return requests.deallocate(nsid, lba, blocks);
    }

    @Override
    public String toString()
    {
        return "NvmeqQueue{index=" + index + '}';
    }
}
