package io.nvmeq.actors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.engine.QueuePair;

/**
 * A reusable I/O request that is its own reply: the allocation-free form of {@link IoRequest.Read},
 * {@link IoRequest.Write} and {@link IoRequest.Flush}. A client keeps one per outstanding request
 * (e.g. one per queue-depth slot), prepares it ({@link #read}, {@link #write}, {@link #flush}), tells it
 * to a queue pair, and gets the same object back at {@code replyTo} once it is answered, with
 * {@link #error()} null for success or the typed error (as {@link IoReply.Failed} would carry it). Then it
 * may prepare it again. Per I/O nothing is allocated but the envelope Akka wraps each message in. Told
 * by an actor on the queue pair's own thread ({@link Nvmeq#spawnColocated}) while the queue pair's mailbox is
 * empty, it is taken by a call within {@code tell}, without a mailbox run of its own ({@link ArrayQueueMailbox}).
 *
 * <p>Ownership moves with the object, as with the buffer of any request: from a prepare until its answer
 * arrives, the queue pair owns it and the client must not touch it. Preparing an operation that the queue
 * pair has taken throws {@link IllegalStateException} (between the tell and the queue pair taking it a
 * second preparation cannot be told from a first: prepare once per tell). An operation told without being
 * prepared (or told again after its answer) is answered with an {@link InvalidRequestException}; one told
 * twice while the queue pair holds it is answered once (the duplicate is logged and dropped: a second
 * answer would overwrite the first's outcome). Chains ({@link #then}, {@link #chainingAnswers}) send many
 * operations in one message each way; see the README's "The allocation-free actor path".
 *
 * <p>Not thread-safe: one client at a time (its actor). The hand-over through the mailbox orders the
 * client's writes before the queue pair's reads and the queue pair's answer before the client's reads.
 */
public final class IoOperation implements IoRequest, IoReply
{
    /** What an operation does. */
    public enum Kind
    {
        READ,
        WRITE,
        FLUSH
    }

    /** Owned by the client: new, or answered. */
    static final int FREE = 0;
    /** Prepared by the client, not yet taken by a queue pair. */
    static final int PREPARED = 1;
    /** Held by a queue pair until it is answered. */
    static final int ACCEPTED = 2;

    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(IoOperation.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ActorRef<IoReply> replyTo;
    private final boolean chainedAnswers;
    private Kind kind;
    private int nsid;
    private long lba;
    private int blocks;
    private DmaBuffer buffer;
    private int offset;
    private boolean fua;
    private long tag;
    private NvmeException error;
    /** The next operation told in the same message (set by the client, taken by the queue pair). */
    private IoOperation nextRequest;
    /** The next operation answered in the same message (set by the queue pair, read by the client). */
    IoOperation nextAnswer;
    /**
     * Set by {@link LocalQueuePair#submit(IoOperation)}: answered by a call to {@link #completions} on the queue
     * pair's thread; cleared by every preparation. A flag beside the reference, which is written only when it
     * changes: G1's write barrier runs a StoreLoad fence for each reference stored into an old object (an
     * operation lives long) that points outside its region.
     */
    boolean answerByCall;
    LocalQueuePair.Completions completions;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /**
     * @param replyTo where every answer of this operation goes
     * @throws InvalidRequestException if {@code replyTo} is null: there is nowhere to answer
     */
    public IoOperation(final ActorRef<IoReply> replyTo)
    {
        this(replyTo, false);
    }

    private IoOperation(final ActorRef<IoReply> replyTo, final boolean chainedAnswers)
    {
        if (replyTo == null)
        {
            throw new InvalidRequestException("an operation needs a replyTo (null): there is nowhere to answer it");
        }
        this.replyTo = replyTo;
        this.chainedAnswers = chainedAnswers;
    }

    /**
     * An operation whose answers may come chained: the answers a queue pair finds in one completion poll
     * for the same {@code replyTo} come as one message, the first of them, the others linked from it by
     * {@link #nextAnswer()}. One message for a burst of answers instead of one each.
     */
    public static IoOperation chainingAnswers(final ActorRef<IoReply> replyTo)
    {
        return new IoOperation(replyTo, true);
    }

    /**
     * Links {@code next} (prepared) behind this prepared operation, so that telling the first of a chain
     * tells them all in one message; the queue pair takes them in order, as if told one by one.
     *
     * @return {@code next}, to link the one after it
     */
    public IoOperation then(final IoOperation next)
    {
        if (next == this)
        {
            throw new IllegalArgumentException("an operation cannot follow itself");
        }
        nextRequest = next;
        return next;
    }

    /**
     * In an answer: the next operation answered in the same message, or null (always null unless made with
     * {@link #chainingAnswers}). Read it before preparing this operation again: preparing clears it.
     */
    public IoOperation nextAnswer()
    {
        return nextAnswer;
    }

    /** Whether its answers may come chained (see {@link #chainingAnswers}). */
    public boolean chainsAnswers()
    {
        return chainedAnswers;
    }

    IoOperation peekNextRequest()
    {
        return nextRequest;
    }

    /** The queue pair takes the next operation of the chain this one heads, unlinking it. */
    IoOperation takeNextRequest()
    {
        final IoOperation next = nextRequest;
        nextRequest = null;
        return next;
    }

    /** Prepares a read of {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}. */
    public IoOperation read(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final long tag)
    {
        return prepare(Kind.READ, nsid, lba, blocks, buffer, offset, false, tag);
    }

    /** Prepares a write of {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}. */
    public IoOperation write(final int nsid, final long lba, final int blocks, final DmaBuffer buffer, final int offset,
        final boolean fua, final long tag)
    {
        return prepare(Kind.WRITE, nsid, lba, blocks, buffer, offset, fua, tag);
    }

    /** Prepares a flush of namespace {@code nsid}'s volatile write cache. */
    public IoOperation flush(final int nsid, final long tag)
    {
        return prepare(Kind.FLUSH, nsid, 0, 0, null, 0, false, tag);
    }

    private IoOperation prepare(final Kind kind, final int nsid, final long lba, final int blocks, final DmaBuffer buffer,
        final int offset, final boolean fua, final long tag)
    {
        if ((int)STATE.getAcquire(this) == ACCEPTED)
        {
            throw new IllegalStateException("operation " + this.tag + " is still held by a queue pair: wait for its " +
                "answer before preparing it again");
        }
        if (this.kind != kind)
        {
            this.kind = kind;
        }
        this.nsid = nsid;
        this.lba = lba;
        this.blocks = blocks;
        if (this.buffer != buffer)
        {
            // A slot's operation mostly moves the same buffer (see answerByCall on reference stores).
            this.buffer = buffer;
        }
        this.offset = offset;
        this.fua = fua;
        this.tag = tag;
        this.error = null;
        this.answerByCall = false;
        this.nextRequest = null;
        this.nextAnswer = null;
        STATE.setRelease(this, PREPARED);
        return this;
    }

    /**
     * The queue pair takes the operation. @return {@link #PREPARED} if it was prepared (now held), else the
     * state it was in, unchanged
     */
    int accept()
    {
        final int current = (int)STATE.getAcquire(this);
        if (current == PREPARED)
        {
            STATE.setRelease(this, ACCEPTED);
        }
        return current;
    }

    /** Submits it to {@code queuePair} as attempt {@code attempt}. @return false if the queue had no room */
    boolean submit(final QueuePair queuePair, final CompletionHandler<? super IoOperation> handler, final int attempt)
    {
        return switch (kind)
        {
            case READ -> queuePair.submitRead(nsid, lba, blocks, buffer, offset, handler, attempt, this);
            case WRITE -> queuePair.submitWrite(nsid, lba, blocks, buffer, offset, fua, handler, attempt, this);
            case FLUSH -> queuePair.submitFlush(nsid, handler, attempt, this);
        };
    }

    /** {@link #FREE}, {@link #PREPARED} or {@link #ACCEPTED}, as the calling thread sees it now. */
    int state()
    {
        return (int)STATE.getAcquire(this);
    }

    /** The queue pair's answer: the outcome is recorded and the client owns the operation again. */
    void complete(final NvmeException outcome)
    {
        error = outcome;
        STATE.setRelease(this, FREE);
    }

    /** The operation's kind, as last prepared; null before the first. */
    public Kind kind()
    {
        return kind;
    }

    public int nsid()
    {
        return nsid;
    }

    public long lba()
    {
        return lba;
    }

    public int blocks()
    {
        return blocks;
    }

    public DmaBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public boolean fua()
    {
        return fua;
    }

    @Override
    public long tag()
    {
        return tag;
    }

    @Override
    public ActorRef<IoReply> replyTo()
    {
        return replyTo;
    }

    /** The outcome of the last answer: null if it succeeded (or was not answered yet), else the typed error. */
    public NvmeException error()
    {
        return error;
    }

    @Override
    public String toString()
    {
        return "IoOperation[" + kind + ", nsid=" + nsid + ", lba=" + lba + ", blocks=" + blocks + ", offset=" + offset +
            ", fua=" + fua + ", tag=" + tag + ", error=" + error + "]";
    }
}
