package io.nvmeq.actors;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import akka.actor.ActorCell;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
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
 * holds anything every sender adds behind it, so one sender's messages stay in the order it sent them:
 * each message in the overflow notes how many messages the ring had taken in when it was added, and is
 * handed out only once the ring has handed out that many (whatever a sender put in the ring before it).
 *
 * <p>A queue pair's own mailbox takes one more shortcut: an {@link IoRequest} (an {@link IoOperation} or a
 * chain of them, or a request record) told on the queue pair's own thread, by an actor co-located with it, while
 * the mailbox is empty, is handed to the queue pair by a call inside {@code tell} (as {@link LocalQueuePair}
 * would), instead of waiting in the ring for a mailbox run of its own. Nothing is queued before it (the mailbox is empty), so
 * each sender's order holds; the queue pair submits it under the doorbell of its next poll, as it would
 * have after the mailbox run. Akka still allocates the envelope and schedules a (then empty) mailbox run.
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

    /**
     * Makes the mailbox of {@code queuePair}, whose context this is, hand it the requests told on this thread by
     * calls (see the class comment). Called on the queue pair's own thread. Akka's typed API does not show an
     * actor's mailbox; the classic cell under its context does (Akka 2.6's {@code ActorCell}).
     *
     * @return its mailbox queue, or null if it is not this ring mailbox (then nothing changes)
     */
    static ArrayMessageQueue submitDirectlyTo(final ActorContext<?> context, final QueuePairActor queuePair)
    {
        if (Adapter.toClassic(context) instanceof ActorCell cell &&
            cell.mailbox().messageQueue() instanceof ArrayMessageQueue queue)
        {
            queue.submitDirectlyTo(queuePair);
            return queue;
        }
        return null;
    }

    @Override
    public MessageQueue create(final Option<ActorRef> owner, final Option<ActorSystem> system)
    {
        return new ArrayMessageQueue(capacity);
    }

    /** A message in the overflow, and the number of messages the ring had taken in when it was added. */
    record Overflowed(Envelope envelope, long ringAdded)
    {
    }

    /** The queue: a ring, and an overflow queue that allocates only while the ring is full. */
    public static final class ArrayMessageQueue implements MessageQueue, UnboundedMessageQueueSemantics
    {
        private final ManyToOneConcurrentArrayQueue<Envelope> ring;
        private final Queue<Overflowed> overflow = new ConcurrentLinkedQueue<>();
        /** The queue pair that owns this mailbox, if it takes operations told on its thread by a call; else null. */
        private QueuePairActor direct;
        /** That queue pair's thread: written and compared on it (another thread is never equal to it). */
        private Thread directThread;

        ArrayMessageQueue(final int capacity)
        {
            ring = new ManyToOneConcurrentArrayQueue<>(capacity);
        }

        /**
         * Called by the queue pair that owns this mailbox, on its own thread: from now on operations told on this
         * thread while the mailbox is empty go to {@code queuePair} by a call (null: no more).
         */
        void submitDirectlyTo(final QueuePairActor queuePair)
        {
            direct = queuePair;
            directThread = queuePair == null ? null : Thread.currentThread();
        }

        @Override
        public void enqueue(final ActorRef receiver, final Envelope envelope)
        {
            final QueuePairActor queuePair = direct;
            if (queuePair != null && Thread.currentThread() == directThread &&
                envelope.message() instanceof IoRequest request && ring.isEmpty() && overflow.isEmpty() &&
                queuePair.submitDirectly(request))
            {
                return;
            }
            if (!overflow.isEmpty() || !ring.offer(envelope))
            {
                // Everything in the ring up to here, this sender's earlier messages among it, goes out first.
                overflow.add(new Overflowed(envelope, ring.addedCount()));
            }
        }

        @Override
        public Envelope dequeue()
        {
            final Envelope envelope = ring.poll();
            if (envelope != null)
            {
                return envelope;
            }
            // Empty-handed: the overflow's first message only once the ring handed out all it had taken in before
            // that message was added (a slot may be claimed and not yet written: Akka runs the mailbox again
            // while hasMessages() holds). Checking for an empty ring instead would let a sender fill the ring and
            // overflow between that check and the take, and its overflowed message overtake those in the ring.
            final Overflowed first = overflow.peek();
            if (first == null || ring.removedCount() < first.ringAdded())
            {
                return null;
            }
            overflow.poll();
            return first.envelope();
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
