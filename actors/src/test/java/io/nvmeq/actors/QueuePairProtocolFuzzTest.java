package io.nvmeq.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.InvalidRequestException;
import io.nvmeq.engine.NamespaceInfo;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.emu.EmulatedController;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The queue-pair actor's protocol under thousands of random requests, most of them invalid (LBAs,
 * counts, namespaces; buffers closed, of another controller, read-only, too small, at odd positions),
 * one at a time and from concurrent callers: every request gets exactly one answer, Done for a valid
 * request and InvalidRequestException for an invalid one, and the emulated IOMMU sees the device touch
 * test memory only inside the buffer of a request in flight.
 */
class QueuePairProtocolFuzzTest
{
    private static final Duration ANSWER = Duration.ofSeconds(10);
    private static final int CAPACITY = 16 << 10;

    private static ActorTestKit testKit;
    private static NvmeController controller;
    private static NvmeController other;
    private static AccessGuard guard;
    private static FuzzBuffers buffers;
    private static ActorRef<QueuePairCommand> queuePair;
    private static NamespaceInfo namespace;
    private static final AtomicInteger VALID = new AtomicInteger();
    private static final AtomicInteger TAGS = new AtomicInteger();

    @BeforeContainer
    static void start()
    {
        testKit = ActorTestKit.create("protocol-fuzz", ConfigFactory.load());
        // mdts=2: 16 KiB per command, so that the larger requests are split.
        controller = NvmeController.open(Devices.open("emu:memory?size=1m&bs=512&mdts=2"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(32));
        other = NvmeController.open(Devices.open("emu:memory?size=1m&bs=512"),
            ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(32));
        guard = new AccessGuard();
        ((EmulatedController)controller.device()).iommu().observe(guard);
        buffers = new FuzzBuffers(CAPACITY, controller::allocateBuffer, other::allocateBuffer, controller::registerBuffer,
            guard);
        namespace = controller.namespaces().get(0);
        queuePair = testKit.spawn(QueuePairActor.create(controller, controller.createQueuePair(1), -1, 64), "fuzzed");
    }

    @AfterContainer
    static void stop()
    {
        try
        {
            System.out.println("protocol fuzz: " + VALID.get() + " valid of " + TAGS.get() + " requests; " + guard.accesses()
                + " device transfers into test memory checked");
            assertEquals(List.of(), guard.violations(), "device accesses outside the request's buffer");
            assertTrue(VALID.get() > 100, "too few valid requests to show that valid ones are accepted: " + VALID.get());
            assertTrue(guard.accesses() > 100, "the guard saw no transfers into test memory: " + guard.accesses());
        }
        finally
        {
            testKit.shutdownTestKit();
            controller.close();
            other.close();
        }
    }

    @Provide
    Arbitrary<FuzzRequest> requests()
    {
        // The protocol's records refuse a null buffer when they are built; the facade's entry points get nulls.
        return FuzzRequest.requests(namespace.blocks(), CAPACITY, false);
    }

    @Property(tries = 2500)
    void oneAtATimeEachIsAnsweredTrulyAndTouchesOnlyItsBuffer(@ForAll("requests") final FuzzRequest request)
    {
        final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
        exchange(request, replies);
    }

    @Property(tries = 40)
    void concurrentCallersEachGetTheirOneTrueAnswer(
        @ForAll @Size(min = 4, max = 4) final List<@Size(min = 10, max = 10) List<@net.jqwik.api.From("requests") FuzzRequest>> lanes)
        throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        for (final List<FuzzRequest> lane : lanes)
        {
            final Thread thread = new Thread(() ->
            {
                final TestProbe<IoReply> replies = testKit.createTestProbe(IoReply.class);
                try
                {
                    for (final FuzzRequest request : lane)
                    {
                        exchange(request, replies);
                    }
                }
                catch (final Throwable ex)
                {
                    synchronized (failures)
                    {
                        failures.add(ex);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join(60_000);
        }
        if (!failures.isEmpty())
        {
            fail(failures.get(0));
        }
    }

    /** Sends one request and checks its one answer against the oracle, with the device's accesses allowed meanwhile. */
    private static void exchange(final FuzzRequest request, final TestProbe<IoReply> replies)
    {
        final boolean valid = request.valid(buffers, namespace.blocks(), namespace.blockSize());
        final long[] range = buffers.allowedRange(request, valid, namespace.blockSize());
        final long tag = TAGS.incrementAndGet();
        final long permit = guard.allow(range[0], range[1], request.kind().reads());
        try
        {
            queuePair.tell(message(request, tag, replies.ref()));
            final IoReply reply = replies.expectMessageClass(IoReply.class, ANSWER);
            assertEquals(tag, reply.tag(), "the answer is to this request");
            if (valid)
            {
                VALID.incrementAndGet();
                if (reply instanceof IoReply.Failed failed)
                {
                    fail("valid request " + request + " refused: " + failed.error());
                }
            }
            else
            {
                assertInstanceOf(IoReply.Failed.class, reply, "invalid request " + request + " accepted");
                assertInstanceOf(InvalidRequestException.class, ((IoReply.Failed)reply).error(), request.toString());
            }
            replies.expectNoMessage(Duration.ZERO);
        }
        finally
        {
            guard.revoke(permit);
        }
    }

    private static IoRequest message(final FuzzRequest request, final long tag, final ActorRef<IoReply> replyTo)
    {
        final DmaBuffer dma = buffers.dma(request);
        return switch (request.kind())
        {
            case READ_DMA -> new IoRequest.Read(request.nsid(), request.lba(), request.blocks(), dma, request.offset(),
                tag, replyTo);
            case WRITE_DMA -> new IoRequest.Write(request.nsid(), request.lba(), request.blocks(), dma, request.offset(),
                request.fua(), tag, replyTo);
            case READ_BYTES -> new IoRequest.ReadBuffer(request.nsid(), request.lba(), request.blocks(),
                buffers.bytes(request), tag, replyTo);
            case WRITE_BYTES -> new IoRequest.WriteBuffer(request.nsid(), request.lba(), request.blocks(),
                buffers.bytes(request), request.fua(), tag, replyTo);
            case FLUSH -> new IoRequest.Flush(request.nsid(), tag, replyTo);
            case WRITE_ZEROES -> new IoRequest.WriteZeroes(request.nsid(), request.lba(), request.blocks(),
                request.deallocate(), request.fua(), tag, replyTo);
            case DEALLOCATE -> new IoRequest.Deallocate(request.nsid(), request.lba(), request.blocks(), tag, replyTo);
        };
    }
}
