package io.nvmeq.actors.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.List;

import akka.actor.ExtendedActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.remote.RemoteProtocol.Answers;
import io.nvmeq.actors.remote.RemoteProtocol.DeallocateBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.Done;
import io.nvmeq.actors.remote.RemoteProtocol.Failed;
import io.nvmeq.actors.remote.RemoteProtocol.FailureKind;
import io.nvmeq.actors.remote.RemoteProtocol.FlushBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.ReadData;
import io.nvmeq.actors.remote.RemoteProtocol.Requests;
import io.nvmeq.actors.remote.RemoteProtocol.WriteBlocks;
import io.nvmeq.actors.remote.RemoteProtocol.WriteZeroesBlocks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batch wire format: requests and answers survive the round trip field for field; on a server a write's
 * data lands in a lease of the DMA pool, and when the pool is full the write is marked as missing its data while
 * the rest of the batch is still read right; a corrupt batch is refused (and gives its leases back).
 */
class RemoteSerializerTest
{
    private static ActorTestKit testKit;
    private static Nvmeq nvmeq;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("remote-serializer");
        nvmeq = Nvmeq.open(NvmeqSettings.load().withDevice("emu:memory?size=1m&serial=SERIALIZER").withQueuePairs(1));
    }

    @AfterAll
    static void stop()
    {
        nvmeq.close();
        testKit.shutdownTestKit();
    }

    private static RemoteSerializer serializer()
    {
        return new RemoteSerializer((ExtendedActorSystem)Adapter.toClassic(testKit.system()));
    }

    private static ByteBuffer written(final RemoteSerializer serializer, final Object message)
    {
        final ByteBuffer frame = ByteBuffer.allocateDirect(serializer.size(message));
        serializer.toBinary(message, frame);
        assertEquals(0, frame.remaining(), "size() is exactly what toBinary writes");
        return frame.flip();
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 31 + seed);
        }
        return data;
    }

    @Test
    void aBatchOfEveryKindOfRequestAndAnswerRoundTrips() throws Exception
    {
        final RemoteSerializer serializer = serializer();
        final Requests requests = new Requests(List.of(new ReadBlocks(1, 7, 8), new WriteBlocks(2, 9, 1, true, pattern(512, 1)),
            new FlushBlocks(3), new WriteZeroesBlocks(4, 10, 4, true, false), new DeallocateBlocks(5, 11, 1L << 33)));
        final Requests back = (Requests)serializer.fromBinary(written(serializer, requests), serializer.manifest(requests));
        assertEquals(5, back.requests().size());
        assertEquals(requests.requests().get(0), back.requests().get(0));
        final WriteBlocks write = (WriteBlocks)back.requests().get(1);
        assertEquals(2, write.id());
        assertEquals(9, write.lba());
        assertEquals(true, write.fua());
        assertArrayEquals(pattern(512, 1), ((BlockData.Bytes)write.data()).bytes(), "no pool here: the data on the heap");
        assertEquals(requests.requests().subList(2, 5), back.requests().subList(2, 5));

        final Answers answers = new Answers(List.of(new Done(6), new ReadData(7, pattern(4096, 2)),
            new Failed(8, FailureKind.DEVICE, 2, 0x281, "unrecovered read error")));
        final Answers answered = (Answers)serializer.fromBinary(written(serializer, answers), serializer.manifest(answers));
        assertEquals(new Done(6), answered.answers().get(0));
        assertArrayEquals(pattern(4096, 2), ((BlockData.Bytes)((ReadData)answered.answers().get(1)).data()).bytes());
        assertEquals(answers.answers().get(2), answered.answers().get(2));
    }

    @Test
    void aServerReadsWriteDataIntoItsPoolAndSkipsWhatDoesNotFit() throws Exception
    {
        final RemoteSerializer serializer = serializer();
        final RemoteEndpoint endpoint = RemoteEndpoint.get(Adapter.toClassic(testKit.system()));
        try (DmaBlockPool pool = DmaBlockPool.allocate(nvmeq, 8192, 8192))
        {
            endpoint.pool(pool);
            // Two pages: the first two writes fit, the third finds none free; the read after it is still read right.
            final Requests requests = new Requests(List.of(new WriteBlocks(1, 0, 8, false, pattern(4096, 3)),
                new WriteBlocks(2, 8, 8, false, pattern(4096, 4)), new WriteBlocks(3, 16, 8, false, pattern(4096, 5)),
                new ReadBlocks(4, 24, 8)));
            final Requests back = (Requests)serializer.fromBinary(written(serializer, requests), serializer.manifest(requests));
            final DmaBlockPool.Lease first = assertInstanceOf(DmaBlockPool.Lease.class, ((WriteBlocks)back.requests().get(0)).data());
            final DmaBlockPool.Lease second = assertInstanceOf(DmaBlockPool.Lease.class, ((WriteBlocks)back.requests().get(1)).data());
            assertInstanceOf(BlockData.Missing.class, ((WriteBlocks)back.requests().get(2)).data());
            assertEquals(new ReadBlocks(4, 24, 8), back.requests().get(3));
            assertEquals(2, pool.leasedPages());
            assertEquals(1, pool.refusals());
            final byte[] landed = new byte[4096];
            second.buffer().buffer().getBytes(second.offset(), landed);
            assertArrayEquals(pattern(4096, 4), landed, "the data is in the DMA buffer, where the device reads it");

            // A read's answer is serialized from its lease, which then goes back (once, however often released).
            final ReadData answer = new ReadData(9, first);
            final ByteBuffer frame = written(serializer, new Answers(List.of(answer, new Done(10))));
            assertEquals(1, pool.leasedPages());
            second.release();
            second.release();
            assertEquals(0, pool.leasedPages());
            final Answers answered = (Answers)serializer.fromBinary(frame, "A");
            assertArrayEquals(pattern(4096, 3), ((BlockData.Bytes)((ReadData)answered.answers().get(0)).data()).bytes());
        }
        finally
        {
            endpoint.pool(null);
        }
    }

    @Test
    void aCorruptBatchIsRefusedAndGivesItsLeasesBack()
    {
        final RemoteSerializer serializer = serializer();
        final RemoteEndpoint endpoint = RemoteEndpoint.get(Adapter.toClassic(testKit.system()));
        try (DmaBlockPool pool = DmaBlockPool.allocate(nvmeq, 8192, 8192))
        {
            endpoint.pool(pool);
            final Requests requests = new Requests(List.of(new WriteBlocks(1, 0, 8, false, pattern(4096, 6)),
                new ReadBlocks(2, 8, 8)));
            final ByteBuffer frame = written(serializer, requests);
            final ByteBuffer truncated = frame.limit(frame.limit() - 3);
            assertThrows(NotSerializableException.class, () -> serializer.fromBinary(truncated, "B"));
            assertEquals(0, pool.leasedPages(), "the first write's lease went back with the refused batch");
            final ByteBuffer huge = ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).flip();
            assertThrows(NotSerializableException.class, () -> serializer.fromBinary(huge, "B"),
                "a count the frame cannot hold allocates nothing");
        }
        finally
        {
            endpoint.pool(null);
        }
        assertNull(endpoint.pool());
    }
}
