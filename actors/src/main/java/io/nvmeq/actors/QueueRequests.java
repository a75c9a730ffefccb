package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

import io.nvmeq.engine.DmaBuffer;

/**
 * Where an {@link NvmeqQueue} sends its requests: a queue-pair actor of a local controller
 * ({@link QueuePairRequests}) or the session with the server of a remote namespace
 * ({@link RemoteQueueRequests}). Every method returns at once, with a stage answered exactly once; none throws.
 */
interface QueueRequests
{
    CompletionStage<Void> read(int nsid, long lba, int blocks, DmaBuffer buffer, int offset);

    CompletionStage<Void> write(int nsid, long lba, int blocks, DmaBuffer buffer, int offset, boolean fua);

    CompletionStage<Void> read(int nsid, long lba, int blocks, ByteBuffer buffer);

    CompletionStage<Void> write(int nsid, long lba, int blocks, ByteBuffer buffer, boolean fua);

    CompletionStage<Void> flush(int nsid);

    CompletionStage<Void> writeZeroes(int nsid, long lba, int blocks, boolean deallocate, boolean fua);

    CompletionStage<Void> deallocate(int nsid, long lba, long blocks);
}
