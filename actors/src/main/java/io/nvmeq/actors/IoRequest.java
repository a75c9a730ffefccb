package io.nvmeq.actors;

import java.util.Objects;

import akka.actor.typed.ActorRef;
import io.nvmeq.engine.DmaBuffer;

/**
 * An I/O request to a queue-pair actor. Each gets exactly one {@link IoReply} with its {@code tag}
 * at {@code replyTo}: Done, or Failed with a typed error. The buffer must stay untouched by the
 * caller until then (the device reads or writes it directly).
 */
public sealed interface IoRequest extends QueuePairCommand permits IoRequest.Read, IoRequest.Write, IoRequest.Flush
{
    long tag();

    ActorRef<IoReply> replyTo();

    /** Reads {@code blocks} logical blocks from {@code lba} into {@code buffer} at {@code offset}. */
    record Read(int nsid, long lba, int blocks, DmaBuffer buffer, int offset, long tag, ActorRef<IoReply> replyTo)
        implements IoRequest
    {
        public Read
        {
            Objects.requireNonNull(buffer, "buffer");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Writes {@code blocks} logical blocks at {@code lba} from {@code buffer} at {@code offset}; fua = force unit access. */
    record Write(int nsid, long lba, int blocks, DmaBuffer buffer, int offset, boolean fua, long tag,
        ActorRef<IoReply> replyTo) implements IoRequest
    {
        public Write
        {
            Objects.requireNonNull(buffer, "buffer");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Commits the volatile write cache of namespace {@code nsid} to media. */
    record Flush(int nsid, long tag, ActorRef<IoReply> replyTo) implements IoRequest
    {
        public Flush
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }
}
