package io.nvmeq.actors;

import java.nio.ByteBuffer;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;

/**
 * An I/O request to a queue-pair actor. Each gets exactly one {@link IoReply} with its {@code tag}
 * at {@code replyTo}: Done, or Failed with a typed error. The buffer must stay untouched by the
 * caller until then (the device reads or writes it directly).
 *
 * <p>Bad arguments are answered like every other invalid request: a null buffer, a closed one, one of
 * another controller, a range past the end are all answered {@code Failed} with an
 * {@link InvalidRequestException}, and nothing is sent. Only a request without {@code replyTo} cannot be
 * answered, so building one throws that exception at once.
 *
 * <p>Each record is one request, answered with a new {@link IoReply}; a client that keeps many requests
 * outstanding and wants no allocation per I/O reuses {@link IoOperation}s instead, which are their own
 * replies.
 */
public sealed interface IoRequest extends QueuePairCommand
    permits IoRequest.Read, IoRequest.Write, IoRequest.Flush, IoRequest.ReadBuffer, IoRequest.WriteBuffer,
    IoRequest.WriteZeroes, IoRequest.Deallocate, IoOperation
{
    long tag();

    ActorRef<IoReply> replyTo();

    /** Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}. */
    record Read(int nsid, long lba, int blocks, DmaBuffer buffer, int offset, long tag, ActorRef<IoReply> replyTo)
        implements IoRequest
    {
        public Read
        {
            requireReplyTo(replyTo);
        }
    }

    /** Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}; fua = force unit access. */
    record Write(int nsid, long lba, int blocks, DmaBuffer buffer, int offset, boolean fua, long tag,
        ActorRef<IoReply> replyTo) implements IoRequest
    {
        public Write
        {
            requireReplyTo(replyTo);
        }
    }

    /** Commits the volatile write cache of namespace {@code nsid} to media. */
    record Flush(int nsid, long tag, ActorRef<IoReply> replyTo) implements IoRequest
    {
        public Flush
        {
            requireReplyTo(replyTo);
        }
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into any {@link ByteBuffer}, from its position
     * (left unchanged): registered direct memory goes zero-copy, other direct memory gets a temporary
     * IOVA mapping for the request, heap memory is bounced (copied in when the read completes).
     */
    record ReadBuffer(int nsid, long lba, int blocks, ByteBuffer buffer, long tag, ActorRef<IoReply> replyTo)
        implements IoRequest
    {
        public ReadBuffer
        {
            requireReplyTo(replyTo);
        }
    }

    /** Writes {@code blocks} logical blocks at {@code lba} from any {@link ByteBuffer} (see {@link ReadBuffer}). */
    record WriteBuffer(int nsid, long lba, int blocks, ByteBuffer buffer, boolean fua, long tag,
        ActorRef<IoReply> replyTo) implements IoRequest
    {
        public WriteBuffer
        {
            requireReplyTo(replyTo);
        }
    }

    /**
     * {@code blocks} (1..65536) blocks from {@code lba} read as zeroes afterwards; no data moves. With
     * {@code deallocate} the device may deallocate them.
     */
    record WriteZeroes(int nsid, long lba, int blocks, boolean deallocate, boolean fua, long tag,
        ActorRef<IoReply> replyTo) implements IoRequest
    {
        public WriteZeroes
        {
            requireReplyTo(replyTo);
        }
    }

    /** Dataset Management, Deallocate of {@code blocks} blocks from {@code lba} (a hint: TRIM). */
    record Deallocate(int nsid, long lba, long blocks, long tag, ActorRef<IoReply> replyTo) implements IoRequest
    {
        public Deallocate
        {
            requireReplyTo(replyTo);
        }
    }

    private static void requireReplyTo(final ActorRef<IoReply> replyTo)
    {
        if (replyTo == null)
        {
            throw new InvalidRequestException("a request needs a replyTo (null): there is nowhere to answer it");
        }
    }
}
