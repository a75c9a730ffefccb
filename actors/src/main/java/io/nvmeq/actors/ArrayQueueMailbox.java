package io.nvmeq.actors;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.dispatch.Envelope;
import akka.dispatch.MailboxType;
import akka.dispatch.MessageQueue;
import akka.dispatch.ProducesMessageQueue;
import akka.dispatch.UnboundedMessageQueueSemantics;
import com.typesafe.config.Config;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import scala.Option;

/**
 * The mailbox of the actors on a queue pair's thread (the queue-pair actor and the actors co-located
 * with it): Akka's default mailbox links each message in with a 24-byte node, this one puts it in a
 * pre-allocated Agrona ring, so that a message costs only the envelope Akka itself allocates in
 * {@code tell}. Many senders, one consumer (the actor's mailbox run).
 *
 * <p>Never refuses a message (the semantics of Akka's unbounded mailboxes, which actors and their
 * senders rely on): what does not fit in the ring goes to an unbounded overflow queue, and while that
 * holds anything every sender adds behind it, so one sender's messages stay in the order it sent them
 * (the ring is read first, and nothing enters the ring while the overflow is non-empty).
 *
 * <p>Selected with {@code MailboxSelector.fromConfig(ArrayQueueMailbox.CONFIG_PATH)}; its capacity is
 * {@code nvmeq.mailbox.mailbox-capacity}.
 */
public final class ArrayQueueMailbox implements MailboxType, ProducesMessageQueue<ArrayQueueMailbox.ArrayMessageQueue>
{
    /** The configuration block that selects this mailbox. */
    public static final String CONFIG_PATH = "nvmeq.mailbox";

    private final int capacity;

    /** Akka's constructor for a mailbox type: {@code config} is the mailbox's block. */
    public ArrayQueueMailbox(final ActorSystem.Settings settings, final Config config)
    {
        this(config.getInt("mailbox-capacity"));
    }

    ArrayQueueMailbox(final int capacity)
    {
        if (capacity < 2)
        {
            throw new IllegalArgumentException(CONFIG_PATH + ".mailbox-capacity must be at least 2, not " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public MessageQueue create(final Option<ActorRef> owner, final Option<ActorSystem> system)
    {
        return new ArrayMessageQueue(capacity);
    }

    /** The queue: a ring, and an overflow queue that allocates only while the ring is full. */
    public static final class ArrayMessageQueue implements MessageQueue, UnboundedMessageQueueSemantics
    {
        private final ManyToOneConcurrentArrayQueue<Envelope> ring;
        private final Queue<Envelope> overflow = new ConcurrentLinkedQueue<>();

        ArrayMessageQueue(final int capacity)
        {
            ring = new ManyToOneConcurrentArrayQueue<>(capacity);
        }

        @Override
        public void enqueue(final ActorRef receiver, final Envelope envelope)
        {
            if (!overflow.isEmpty() || !ring.offer(envelope))
            {
                overflow.add(envelope);
            }
        }

        @Override
        public Envelope dequeue()
        {
            final Envelope envelope = ring.poll();
            return envelope != null ? envelope : overflow.poll();
        }

        @Override
        public int numberOfMessages()
        {
            return ring.size() + overflow.size();
        }

        @Override
        public boolean hasMessages()
        {
            return !ring.isEmpty() || !overflow.isEmpty();
        }

        @Override
        public void cleanUp(final ActorRef owner, final MessageQueue deadLetters)
        {
            Envelope envelope;
            while ((envelope = dequeue()) != null)
            {
                deadLetters.enqueue(owner, envelope);
            }
        }
    }
}
