package io.nvmeq.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.engine.ControllerResetTest.Tally;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.InterruptVectors;
import io.nvmeq.hw.nativeio.EventFd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * I/O completion queues created with interrupts (IEN = 1) on their owner's vector, and the arm / look /
 * wait protocol of {@link CompletionInterrupt} against the emulated controller: a completion that lands
 * after the owner's last look and before its wait is never lost, masked or not.
 */
class CompletionInterruptTest
{
    /** Bounds a wait that must end at once; a failure would hang without it. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private NvmeController controller;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    private QueuePair[] open(final String uri, final Object... owners)
    {
        final CompletionVectors vectors = new CompletionVectors();
        for (int i = 0; i < owners.length; i++)
        {
            vectors.assign(i + 1, owners[i]);
        }
        controller = NvmeController.open(Devices.open(uri),
            ControllerOptions.defaults().withIoQueuePairs(owners.length).withIoQueueEntries(64).withCompletionVectors(vectors));
        final QueuePair[] queues = new QueuePair[owners.length];
        for (int i = 0; i < owners.length; i++)
        {
            queues[i] = controller.createQueuePair(i + 1);
        }
        return queues;
    }

    @Test
    void eachOwnerGetsItsOwnVectorAndQueuesOfOneOwnerShareIt()
    {
        final QueuePair[] queues = open("emu:memory?size=1m&queues=3", "cpu0", "cpu1", "cpu0");
        final CompletionInterrupt first = queues[0].interrupt();
        assertNotNull(first);
        assertEquals(1, first.vector());
        assertEquals(2, queues[1].interrupt().vector());
        assertSame(first.eventFd(), queues[2].interrupt().eventFd(), "one owner, one vector, one eventfd");
        assertEquals(1, queues[2].interrupt().vector());
        assertTrue(first.maskable(), "the emulated controller lets the host write its MSI-X table");
    }

    @Test
    void aQueueWithoutInterruptsHasNone()
    {
        controller = NvmeController.open(Devices.open("emu:memory?size=1m&queues=1"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(64));
        assertNull(controller.createQueuePair(1).interrupt());
    }

    @Test
    void ownersPastTheLastVectorArePolledWithoutInterrupts()
    {
        final CompletionVectors vectors = new CompletionVectors();
        vectors.assign(1, "a");
        vectors.assign(2, "b");
        vectors.assign(3, "a");
        final InterruptVectors twoVectors = new InterruptVectors()
        {
            @Override
            public int count()
            {
                return 2;
            }

            @Override
            public EventFd eventFd(final int vector)
            {
                throw new UnsupportedOperationException();
            }
        };
        assertEquals(1, vectors.vectorOf(1, twoVectors));
        assertEquals(CompletionVectors.NONE, vectors.vectorOf(2, twoVectors), "vector 0 is the admin queue's");
        assertEquals(1, vectors.vectorOf(3, twoVectors));
        assertEquals(CompletionVectors.NONE, vectors.vectorOf(4, twoVectors), "no owner");
    }

    @Test
    void aCompletionAfterTheLastLookSignalsTheArmedVector()
    {
        final QueuePair queue = open("emu:memory?size=1m&queues=1", "cpu0")[0];
        final CompletionInterrupt interrupt = queue.interrupt();
        final Tally tally = new Tally(1);
        interrupt.arm();
        assertFalse(queue.completionWaiting(), "the last look: nothing yet");
        // The completion lands now, between that look and the wait.
        assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null));
        queue.ringDoorbell();
        assertTrue(interrupt.eventFd().await(WAIT_NANOS), "the wait returns at once: the vector was raised");
        assertTrue(queue.completionWaiting());
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
        assertTrue(interrupt.arm() >= 1, "arming consumes the interrupt taken");
        assertFalse(interrupt.eventFd().isSignalled());
    }

    @Test
    void aCompletionWhileMaskedIsPendingAndSeenAfterArming()
    {
        final QueuePair queue = open("emu:memory?size=1m&queues=1", "cpu0")[0];
        final CompletionInterrupt interrupt = queue.interrupt();
        final Tally tally = new Tally(1);
        interrupt.arm();
        interrupt.disarm();
        assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null));
        queue.ringDoorbell();
        assertFalse(interrupt.eventFd().isSignalled(), "masked while its owner polls: nothing raised");
        // Arming unmasks (the Pending bit delivers) and consumes; the look after it finds the completion.
        assertTrue(interrupt.arm() >= 1);
        assertTrue(queue.completionWaiting(), "the look after arming sees it: the owner does not sleep");
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
    }

    @Test
    void aModelledCompletionIsDueAtTheNextPollDeadlineAndThenRaisesTheVector()
    {
        final QueuePair queue = open("emu:memory?size=1m&queues=1&latency=read:2ms", "cpu0")[0];
        final CompletionInterrupt interrupt = queue.interrupt();
        final Tally tally = new Tally(1);
        assertTrue(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null));
        queue.ringDoorbell();
        interrupt.arm();
        final long deadline = interrupt.nextPollDeadline();
        assertNotEquals(Long.MAX_VALUE, deadline, "the emulator has no thread: its tick is due");
        // Sleeping until the deadline (or an interrupt), then looking: the completion is there and raised.
        for (int i = 0; i < 1000 && !queue.completionWaiting(); i++)
        {
            interrupt.eventFd().await(Math.max(0, interrupt.nextPollDeadline() - System.nanoTime()));
        }
        assertTrue(interrupt.eventFd().isSignalled(), "the tick posted the completion and raised the vector");
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
    }

    @Test
    void aResetRecreatesTheCompletionQueueOnItsVector()
    {
        final QueuePair queue = open("emu:memory?size=1m&queues=2", "cpu0", "cpu1")[1];
        controller.reset("test");
        final CompletionInterrupt interrupt = queue.interrupt();
        assertEquals(2, interrupt.vector());
        final Tally tally = new Tally(1);
        interrupt.arm();
        for (int i = 0; i < 1000 && !queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), tally, 0, null); i++)
        {
            queue.poll(64); // reconnects after the reset
        }
        queue.ringDoorbell();
        assertTrue(interrupt.eventFd().await(WAIT_NANOS), "the re-created CQ signals the same vector");
        assertEquals(1, queue.poll(64));
        tally.assertEachAnsweredOnce();
    }
}
