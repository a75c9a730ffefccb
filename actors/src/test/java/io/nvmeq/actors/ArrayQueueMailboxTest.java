package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import akka.actor.ActorCell;
import akka.actor.ActorRefWithCell;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.dispatch.Envelope;
import akka.dispatch.MessageQueue;
import akka.dispatch.UnboundedMailbox;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring mailbox never refuses a message and keeps each sender's order, also once its ring is full. */
class ArrayQueueMailboxTest
{
    private static Envelope envelope(final Object message)
    {
        return Envelope.apply(message, akka.actor.ActorRef.noSender());
    }

    @Test
    void pastItsCapacityMessagesOverflowAndComeOutInTheOrderSent()
    {
        final MessageQueue queue = new ArrayQueueMailbox(4).create(scala.Option.empty(), scala.Option.empty());
        for (int i = 0; i < 10; i++)
        {
            queue.enqueue(null, envelope(i));
        }
        assertEquals(10, queue.numberOfMessages());
        // Room in the ring again, but the overflow is not empty: newcomers go behind it.
        assertEquals(0, queue.dequeue().message());
        queue.enqueue(null, envelope(10));
        for (int i = 1; i <= 10; i++)
        {
            assertEquals(i, queue.dequeue().message());
        }
        assertFalse(queue.hasMessages());
        assertNull(queue.dequeue());
        // Empty again: the ring takes messages again.
        queue.enqueue(null, envelope(11));
        assertEquals(11, queue.dequeue().message());
    }

    @Test
    void manySendersOneConsumerEveryMessageOnceEachSendersInOrder() throws InterruptedException
    {
        // A small ring overflows often: a sender may fill it and overflow while the consumer looks at it.
        final MessageQueue queue = new ArrayQueueMailbox(4).create(scala.Option.empty(), scala.Option.empty());
        final int senders = 3;
        final int perSender = 100_000;
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean wrong = new AtomicBoolean();
        for (int s = 0; s < senders; s++)
        {
            final int sender = s;
            final Thread thread = new Thread(() ->
            {
                for (int i = 0; i < perSender; i++)
                {
                    queue.enqueue(null, envelope(new long[] {sender, i}));
                }
            });
            threads.add(thread);
            thread.start();
        }
        final int[] next = new int[senders];
        int received = 0;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (received < senders * perSender && System.nanoTime() < deadline)
        {
            final Envelope envelope = queue.dequeue();
            if (envelope == null)
            {
                Thread.onSpinWait();
                continue;
            }
            final long[] message = (long[])envelope.message();
            if (message[1] != next[(int)message[0]])
            {
                wrong.set(true);
            }
            next[(int)message[0]] = (int)message[1] + 1;
            received++;
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(senders * perSender, received, "every message arrives");
        assertFalse(wrong.get(), "each sender's messages arrive in the order it sent them");
        assertNull(queue.dequeue(), "and none twice");
    }

    @Test
    void cleanUpHandsWhatIsLeftToDeadLetters()
    {
        final MessageQueue queue = new ArrayQueueMailbox(2).create(scala.Option.empty(), scala.Option.empty());
        final MessageQueue deadLetters = new UnboundedMailbox().create(scala.Option.empty(), scala.Option.empty());
        for (int i = 0; i < 5; i++)
        {
            queue.enqueue(null, envelope(i));
        }
        queue.cleanUp(null, deadLetters);
        assertFalse(queue.hasMessages());
        assertEquals(5, deadLetters.numberOfMessages());
        assertEquals(0, deadLetters.dequeue().message());
    }

    @Test
    void aCapacityBelowTwoIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new ArrayQueueMailbox(1));
    }

    @Test
    void queuePairsAndActorsColocatedWithThemGetTheRingMailbox() throws InterruptedException
    {
        try (Nvmeq nvmeq = Nvmeq.open(TestSupport.settings("MAILBOX")))
        {
            assertInstanceOf(ArrayQueueMailbox.ArrayMessageQueue.class, messageQueueOf(nvmeq.queuePairRefs().get(0)));
            final ActorRef<String> colocated = nvmeq.spawnColocated(0, Behaviors.ignore(), "colocated");
            assertInstanceOf(ArrayQueueMailbox.ArrayMessageQueue.class, messageQueueOf(colocated));
            assertTrue(nvmeq.queuePairRefs().size() > 0);
        }
        TestSupport.assertBusyPollThreadsEnd("nvmeq");
    }

    private static MessageQueue messageQueueOf(final ActorRef<?> ref)
    {
        final ActorRefWithCell classic = (ActorRefWithCell)Adapter.toClassic(ref);
        // A system actor's cell is swapped in once the guardian has created it.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(classic.underlying() instanceof ActorCell) && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        return ((ActorCell)classic.underlying()).mailbox().messageQueue();
    }
}
