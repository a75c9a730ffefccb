package io.nvmeq.examples.faults;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.IoRequest;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.engine.CommandFailedException;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.hw.spec.Opcodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a stand-in queue pair that answers as the test says: a second answer, a request never
 * answered and a block that cannot be laid out are each counted. The facade is opened only for its actor system
 * and DMA memory.
 */
class VerifyingClientTest
{
    private static final int LBA = 512;
    private static final int DEPTH = 2;
    private static final int BLOCKS = 8;
    private static Nvmeq nvmeq;
    private static int clients;

    private final BlockingQueue<QueuePairCommand> requests = new LinkedBlockingQueue<>();
    private final CompletableFuture<Long> laidOut = new CompletableFuture<>();
    private final CompletableFuture<ClientResult> done = new CompletableFuture<>();
    private final AtomicLong strays = new AtomicLong();

    @BeforeAll
    static void open()
    {
        nvmeq = Nvmeq.open("emu:memory?size=1m");
    }

    @AfterAll
    static void close()
    {
        nvmeq.close();
    }

    @Test
    void aSecondAnswerIsCountedAndWhatIsOutstandingWhenAbandonedIsUnanswered() throws Exception
    {
        final ActorRef<Object> client = spawnClient();
        final IoRequest first = next();
        final IoRequest second = next();
        assertInstanceOf(IoRequest.Write.class, first, "laying out writes every block");
        first.replyTo().tell(new IoReply.Done(first.tag()));
        first.replyTo().tell(new IoReply.Done(first.tag()));
        second.replyTo().tell(new IoReply.Done(second.tag()));
        for (int answered = 2; answered < BLOCKS; answered++)
        {
            final IoRequest request = next();
            request.replyTo().tell(new IoReply.Done(request.tag()));
        }
        assertEquals(0L, laidOut.get(10, TimeUnit.SECONDS));
        assertEquals(1, strays.get(), "the second answer to the first write");

        client.tell(new VerifyingClient.StartRun(Duration.ofHours(1)));
        next();
        next();
        client.tell(new VerifyingClient.Abandon());
        final ClientResult result = done.get(10, TimeUnit.SECONDS);
        assertEquals(DEPTH, result.unanswered());
        assertEquals(BLOCKS, result.unverified(), "nothing was read back");
        assertEquals(BLOCKS + 2, result.sent());
        assertEquals(BLOCKS, result.ok());
    }

    @Test
    void aBlockWhoseInitialWriteAlwaysFailsIsReportedAndErrorsAreCountedByType() throws Exception
    {
        spawnClient();
        long failures = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!laidOut.isDone() && System.nanoTime() < deadline)
        {
            final QueuePairCommand command = requests.poll(10, TimeUnit.MILLISECONDS);
            if (command == null)
            {
                continue;
            }
            final IoRequest.Write write = (IoRequest.Write)command;
            if (write.lba() == 3)
            {
                failures++;
                write.replyTo().tell(new IoReply.Failed(write.tag(),
                    new CommandFailedException(Opcodes.NVM_WRITE, false, 0x6)));
            }
            else
            {
                write.replyTo().tell(new IoReply.Done(write.tag()));
            }
        }
        assertEquals(1L, laidOut.get());
        assertEquals(VerifyingClient.ATTEMPTS, failures);
        assertEquals(0, strays.get());
        assertTrue(requests.isEmpty(), "nothing more is sent once laid out");
        assertFalse(done.isDone());
    }

    private IoRequest next() throws InterruptedException
    {
        final QueuePairCommand command = requests.poll(10, TimeUnit.SECONDS);
        assertNotNull(command, "the client sent no request within 10 s");
        assertTrue(command instanceof IoRequest, command::toString);
        return (IoRequest)command;
    }

    private ActorRef<Object> spawnClient()
    {
        final Behavior<QueuePairCommand> standIn = Behaviors.receiveMessage(command ->
        {
            requests.add(command);
            return Behaviors.same();
        });
        final int id = ++clients;
        final ActorRef<QueuePairCommand> queuePair = nvmeq.system().systemActorOf(standIn, "stand-in-" + id,
            akka.actor.typed.Props.empty());
        final DmaBuffer buffer = nvmeq.allocate(DEPTH * LBA);
        return nvmeq.system().systemActorOf(VerifyingClient.create(queuePair, 0, 1, 1, LBA, BLOCKS, 50, 1, buffer,
            laidOut, done, strays), "client-" + id, akka.actor.typed.Props.empty());
    }
}
