package io.nvmeq.hw.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** eventfd(2) and ppoll(2) through jnr-ffi: counter semantics, waits with timeouts, several fds, no leaks. */
class EventFdTest
{
    private static final long GENEROUS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void aSignalIsCountedUntilDrained()
    {
        try (EventFd event = EventFd.create())
        {
            assertTrue(event.fd() >= 0);
            assertFalse(event.isSignalled(), "a new eventfd holds nothing");
            assertEquals(0, event.drain(), "non-blocking: an empty counter reads as 0 at once");
            assertTrue(event.signal());
            assertTrue(event.signal());
            assertTrue(event.signal());
            assertTrue(event.isSignalled());
            assertTrue(event.isSignalled(), "looking does not consume");
            assertEquals(3, event.drain(), "counter mode: one read returns every signal");
            assertFalse(event.isSignalled());
            assertEquals(0, event.drain());
        }
    }

    @Test
    void theFdIsNonBlockingAndCloseOnExec() throws IOException
    {
        try (EventFd event = EventFd.create())
        {
            final String info = Files.readString(Path.of("/proc/self/fdinfo/" + event.fd()));
            final int flags = Integer.parseInt(info.lines().filter(l -> l.startsWith("flags:")).findFirst()
                .orElseThrow().substring("flags:".length()).trim(), 8);
            assertEquals(LibC.EFD_NONBLOCK, flags & LibC.EFD_NONBLOCK, info);
            assertEquals(LibC.EFD_CLOEXEC, flags & LibC.EFD_CLOEXEC, info);
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + event.fd())).toString().contains("eventfd"));
        }
    }

    @Test
    void aWaitTimesOutWithNothingAndReturnsAtOnceWithASignalThatCameFirst()
    {
        try (EventFd event = EventFd.create())
        {
            assertFalse(event.await(TimeUnit.MILLISECONDS.toNanos(5)), "nothing signalled: the wait times out");
            // A signal before the wait starts (the lost wake-up case) leaves the fd readable.
            event.signal();
            assertTrue(event.await(GENEROUS));
            assertTrue(event.await(-1), "no limit, but readable already");
        }
    }

    @Test
    void aSignalFromAnotherThreadWakesABlockedWaiter() throws Exception
    {
        try (EventFd event = EventFd.create())
        {
            final CountDownLatch waiting = new CountDownLatch(1);
            final Thread signaller = new Thread(() ->
            {
                try
                {
                    waiting.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                event.signal();
            });
            signaller.start();
            waiting.countDown();
            assertTrue(event.await(GENEROUS), "woken by the other thread's signal");
            signaller.join();
            assertEquals(1, event.drain());
        }
    }

    @Test
    void oneWaitWatchesSeveralFdsAndSaysWhichAreReady()
    {
        try (EventFd interrupt = EventFd.create(); EventFd wakeUp = EventFd.create())
        {
            final ReadinessWait wait = new ReadinessWait(interrupt.fd(), wakeUp.fd());
            assertEquals(2, wait.count());
            assertEquals(0, wait.await(TimeUnit.MILLISECONDS.toNanos(2)));
            assertFalse(wait.isReady(0));
            assertFalse(wait.isReady(1));
            wakeUp.signal();
            assertEquals(1, wait.await(GENEROUS));
            assertFalse(wait.isReady(0));
            assertTrue(wait.isReady(1));
            interrupt.signal();
            assertEquals(2, wait.await(0));
            assertTrue(wait.isReady(0));
            assertTrue(wait.isReady(1));
            wakeUp.drain();
            assertEquals(1, wait.await(0));
            assertTrue(wait.isReady(0));
            assertFalse(wait.isReady(1));
            assertThrows(IndexOutOfBoundsException.class, () -> wait.isReady(2));
        }
    }

    @Test
    void aWaitOnAClosedFdIsAnErrorNotASilentTimeout()
    {
        final EventFd event = EventFd.create();
        final ReadinessWait wait = new ReadinessWait(event.fd());
        event.close();
        final NativeException ex = assertThrows(NativeException.class, () -> wait.await(0));
        assertEquals(LibC.EBADF, ex.errno());
        assertThrows(IllegalArgumentException.class, () -> new ReadinessWait());
        assertThrows(IllegalArgumentException.class, () -> new ReadinessWait(-1));
    }

    @Test
    void closeIsIdempotentAndASignalAfterCloseIsRefused()
    {
        final EventFd event = EventFd.create();
        event.close();
        event.close();
        assertTrue(event.isClosed());
        assertFalse(event.signal(), "a closed eventfd is never written (its fd number may be reused)");
    }

    @Test
    void createAndCloseLeakNoFileDescriptors() throws IOException
    {
        final long before = openEventFds();
        for (int i = 0; i < 1000; i++)
        {
            try (EventFd event = EventFd.create())
            {
                event.signal();
                event.await(0);
                new ReadinessWait(event.fd()).await(0);
                event.drain();
            }
        }
        assertEquals(before, openEventFds(), "1000 eventfds opened and closed");
    }

    @Test
    void concurrentSignallersLoseNoSignal() throws Exception
    {
        try (EventFd event = EventFd.create())
        {
            final int threads = 4;
            final int each = 2000;
            final Thread[] signallers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                signallers[t] = new Thread(() ->
                {
                    for (int i = 0; i < each; i++)
                    {
                        event.signal();
                    }
                });
                signallers[t].start();
            }
            long seen = 0;
            for (final Thread signaller : signallers)
            {
                signaller.join();
            }
            seen += event.drain();
            assertEquals((long)threads * each, seen);
        }
    }

    /** Open eventfds of this process (the JVM opens other files on its own meanwhile). */
    private static long openEventFds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.filter(EventFdTest::isEventFd).count();
        }
    }

    private static boolean isEventFd(final Path fd)
    {
        try
        {
            return Files.readSymbolicLink(fd).toString().contains("eventfd");
        }
        catch (final IOException ex)
        {
            return false; // closed meanwhile (the listing's own fd)
        }
    }
}
