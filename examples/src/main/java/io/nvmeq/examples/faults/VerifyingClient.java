package io.nvmeq.examples.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.nvmeq.actors.IoReply;
import io.nvmeq.actors.IoRequest;
import io.nvmeq.actors.QueuePairCommand;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.examples.bench.BlockCodec;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The verified workload of one queue pair: an actor co-located on the queue pair's thread that owns every
 * {@code queues}-th block of the region (so no two clients touch one block) and keeps {@code iodepth} single-block
 * requests outstanding, never two on one block. Its phases:
 * <ol>
 *   <li>lay out: write every block of its share once (a failed write is retried a few times);</li>
 *   <li>run (from {@link StartRun} until the runtime is over): random reads and writes; each write stamps the
 *       block with {@link BlockCodec} (offset, write sequence, CRC-32C), each read is checked against the
 *       {@link BlockLedger};</li>
 *   <li>drain: send nothing more until every request is answered;</li>
 *   <li>read back: read every block once more (retrying failed reads a few times) and check it.</li>
 * </ol>
 * Every reply is matched to its request by tag: a reply whose tag is not outstanding is a second answer (or an
 * answer to nothing) and counted in the shared {@code strays}. The result completes {@code done}; {@link Abandon}
 * ends the wait early, counting what is still outstanding as unanswered.
 */
final class VerifyingClient extends AbstractBehavior<Object>
{
    /** The share is laid out: start the random workload for {@code runtime}. */
    record StartRun(Duration runtime)
    {
    }

    /** Stop waiting: report now, with what is outstanding as unanswered and what was not read back as unverified. */
    record Abandon()
    {
    }

    private record EndRun()
    {
    }

    private enum Phase
    {
        LAYOUT, READY, RUN, DRAIN, VERIFY, DONE
    }

    private enum Kind
    {
        LAYOUT_WRITE, WRITE, READ, VERIFY_READ
    }

    /** Attempts at the initial write and at the read-back of one block before giving up on it. */
    static final int ATTEMPTS = 8;
    private static final int MAX_REPORTS = 5;
    private static final long FREE = -1;

    private final TimerScheduler<Object> timers;
    private final ActorRef<QueuePairCommand> queuePair;
    private final ActorRef<IoReply> self;
    private final int queue;
    private final int queues;
    private final int nsid;
    private final int lbaSize;
    private final int rwmixread;
    private final BlockLedger ledger;
    private final BlockCodec codec;
    private final DmaBuffer dma;
    private final UnsafeBuffer buffer;
    private final SplittableRandom random;
    private final CompletableFuture<Long> laidOut;
    private final CompletableFuture<ClientResult> done;
    private final AtomicLong strays;

    private final long[] slotTag;
    private final int[] slotBlock;
    private final long[] slotSequence;
    private final Kind[] slotKind;
    private final int[] slotAttempts;

    private final Map<String, Long> errors = new HashMap<>();
    private final List<String> corruptions = new ArrayList<>();
    private Phase phase = Phase.LAYOUT;
    private long serial;
    private int outstanding;
    private int cursor;
    private long sent;
    private long ok;
    private long layoutFailed;
    private long writesAcked;
    private long readsChecked;
    private long corruptReads;
    private long finalChecked;
    private long corruptBlocks;
    private long unverified;

    /**
     * @param blocks   blocks of this client's share: local block {@code i} is logical block {@code i * queues + queue}
     * @param dma      {@code iodepth} blocks of DMA memory, one per slot; untouched by anyone else until done
     * @param laidOut  completed with the number of blocks that could not be laid out
     * @param done     completed with the result
     * @param strays   counts replies that match no outstanding request, during and after the drill
     */
    static Behavior<Object> create(final ActorRef<QueuePairCommand> queuePair, final int queue, final int queues,
        final int nsid, final int lbaSize, final int blocks, final int rwmixread, final long seed, final DmaBuffer dma,
        final CompletableFuture<Long> laidOut, final CompletableFuture<ClientResult> done, final AtomicLong strays)
    {
        return Behaviors.withTimers(timers -> Behaviors.setup(context -> new VerifyingClient(context, timers,
            queuePair, queue, queues, nsid, lbaSize, blocks, rwmixread, seed, dma, laidOut, done, strays)));
    }

    private VerifyingClient(final ActorContext<Object> context, final TimerScheduler<Object> timers,
        final ActorRef<QueuePairCommand> queuePair, final int queue, final int queues, final int nsid,
        final int lbaSize, final int blocks, final int rwmixread, final long seed, final DmaBuffer dma,
        final CompletableFuture<Long> laidOut, final CompletableFuture<ClientResult> done, final AtomicLong strays)
    {
        super(context);
        this.timers = timers;
        this.queuePair = queuePair;
        this.self = context.getSelf().narrow();
        this.queue = queue;
        this.queues = queues;
        this.nsid = nsid;
        this.lbaSize = lbaSize;
        this.rwmixread = rwmixread;
        this.ledger = new BlockLedger(blocks);
        this.codec = new BlockCodec(lbaSize, lbaSize, seed);
        this.dma = dma;
        this.buffer = dma.buffer();
        this.random = new SplittableRandom(seed * 31 + queue);
        this.laidOut = laidOut;
        this.done = done;
        this.strays = strays;
        final int slots = dma.capacity() / lbaSize;
        this.slotTag = new long[slots];
        this.slotBlock = new int[slots];
        this.slotSequence = new long[slots];
        this.slotKind = new Kind[slots];
        this.slotAttempts = new int[slots];
        Arrays.fill(slotTag, FREE);
        for (int slot = 0; slot < slots; slot++)
        {
            layOutNext(slot);
        }
        finishPhaseIfIdle();
    }

    @Override
    public Receive<Object> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(IoReply.Done.class, done -> onReply(done.tag(), null))
            .onMessage(IoReply.Failed.class, failed -> onReply(failed.tag(), failed.error()))
            .onMessage(StartRun.class, this::onStartRun)
            .onMessage(EndRun.class, end -> onEndRun())
            .onMessage(Abandon.class, abandon -> onAbandon())
            .build();
    }

    private Behavior<Object> onStartRun(final StartRun start)
    {
        if (phase == Phase.READY)
        {
            phase = Phase.RUN;
            timers.startSingleTimer(new EndRun(), start.runtime());
            for (int slot = 0; slot < slotTag.length; slot++)
            {
                issueRandom(slot);
            }
        }
        return this;
    }

    private Behavior<Object> onEndRun()
    {
        if (phase == Phase.RUN)
        {
            phase = Phase.DRAIN;
            finishPhaseIfIdle();
        }
        return this;
    }

    private Behavior<Object> onAbandon()
    {
        if (phase != Phase.DONE)
        {
            if (phase.compareTo(Phase.VERIFY) <= 0)
            {
                unverified = ledgerKnownBlocks() - finalChecked;
            }
            if (!laidOut.isDone())
            {
                laidOut.complete(layoutFailed + ledger.blocks() - cursor);
            }
            complete(outstanding);
        }
        return this;
    }

    private Behavior<Object> onReply(final long tag, final NvmeException error)
    {
        final int slot = (int)Long.remainderUnsigned(tag, slotTag.length);
        if (slotTag[slot] != tag)
        {
            strays.incrementAndGet();
            getContext().getLog().error("queue {}: an answer to request {}, which is not outstanding (answered " +
                "twice?)", queue, tag);
            return this;
        }
        slotTag[slot] = FREE;
        outstanding--;
        if (phase == Phase.DONE)
        {
            return this;
        }
        if (error == null)
        {
            ok++;
        }
        else
        {
            errors.merge(ErrorKinds.of(error), 1L, Long::sum);
        }
        final int block = slotBlock[slot];
        switch (slotKind[slot])
        {
            case LAYOUT_WRITE -> onLayoutAnswer(slot, block, error);
            case WRITE -> onWriteAnswer(slot, block, error);
            case READ -> onReadAnswer(slot, block, error);
            case VERIFY_READ -> onVerifyAnswer(slot, block, error);
        }
        finishPhaseIfIdle();
        return this;
    }

    private void onLayoutAnswer(final int slot, final int block, final NvmeException error)
    {
        if (error == null)
        {
            ledger.settle(block, slotSequence[slot]);
        }
        else
        {
            ledger.writeFailed(block, slotSequence[slot]);
            if (++slotAttempts[slot] < ATTEMPTS)
            {
                issueWrite(slot, Kind.LAYOUT_WRITE, block);
                return;
            }
            layoutFailed++;
        }
        ledger.release(block);
        layOutNext(slot);
    }

    private void onWriteAnswer(final int slot, final int block, final NvmeException error)
    {
        if (error == null)
        {
            ledger.settle(block, slotSequence[slot]);
            writesAcked++;
        }
        else
        {
            ledger.writeFailed(block, slotSequence[slot]);
        }
        ledger.release(block);
        issueRandom(slot);
    }

    private void onReadAnswer(final int slot, final int block, final NvmeException error)
    {
        if (error == null)
        {
            readsChecked++;
            if (!checkAndSettle(slot, block, "read"))
            {
                corruptReads++;
            }
        }
        ledger.release(block);
        issueRandom(slot);
    }

    private void onVerifyAnswer(final int slot, final int block, final NvmeException error)
    {
        if (error == null)
        {
            finalChecked++;
            if (!checkAndSettle(slot, block, "read-back"))
            {
                corruptBlocks++;
            }
        }
        else if (++slotAttempts[slot] < ATTEMPTS)
        {
            issue(slot, Kind.VERIFY_READ, block, FREE);
            return;
        }
        else
        {
            unverified++;
        }
        ledger.release(block);
        verifyNext(slot);
    }

    /** @return whether the block read into {@code slot} holds content the ledger allows; if so it settles there */
    private boolean checkAndSettle(final int slot, final int block, final String what)
    {
        final int at = slot * lbaSize;
        final long offset = lba(block) * lbaSize;
        String problem = codec.check(buffer, at, offset, -1);
        if (problem == null)
        {
            final long sequence = BlockCodec.sequence(buffer, at);
            if (ledger.acceptable(block, sequence))
            {
                ledger.settle(block, sequence);
                return true;
            }
            problem = "block at LBA " + lba(block) + " holds write " + sequence + ", expected " + ledger.expected(block);
        }
        if (corruptions.size() < MAX_REPORTS)
        {
            // Only the first few: a device that lost everything would otherwise log every block.
            corruptions.add(what + " on queue " + queue + ": " + problem);
            getContext().getLog().error("queue {}: {} found a corrupt block: {}", queue, what, problem);
        }
        return false;
    }

    private void layOutNext(final int slot)
    {
        if (cursor < ledger.blocks())
        {
            final int block = cursor++;
            ledger.acquire(block);
            slotAttempts[slot] = 0;
            issueWrite(slot, Kind.LAYOUT_WRITE, block);
        }
    }

    private void verifyNext(final int slot)
    {
        while (cursor < ledger.blocks())
        {
            final int block = cursor++;
            if (ledger.known(block))
            {
                ledger.acquire(block);
                slotAttempts[slot] = 0;
                issue(slot, Kind.VERIFY_READ, block, FREE);
                return;
            }
        }
    }

    private void issueRandom(final int slot)
    {
        if (phase != Phase.RUN)
        {
            return;
        }
        final int blocks = ledger.blocks();
        int block = random.nextInt(blocks);
        // At most iodepth blocks are busy and the share holds at least twice as many: a free one is near.
        for (int probe = 0; probe < blocks && (ledger.busy(block) || !ledger.known(block)); probe++)
        {
            block = block + 1 == blocks ? 0 : block + 1;
        }
        if (ledger.busy(block) || !ledger.known(block))
        {
            return;
        }
        ledger.acquire(block);
        if (random.nextInt(100) < rwmixread)
        {
            issue(slot, Kind.READ, block, FREE);
        }
        else
        {
            issueWrite(slot, Kind.WRITE, block);
        }
    }

    private void issueWrite(final int slot, final Kind kind, final int block)
    {
        final long sequence = ledger.nextWrite(block);
        codec.stamp(buffer, slot * lbaSize, lba(block) * lbaSize, sequence);
        issue(slot, kind, block, sequence);
    }

    private void issue(final int slot, final Kind kind, final int block, final long sequence)
    {
        final long tag = serial++ * slotTag.length + slot;
        slotTag[slot] = tag;
        slotBlock[slot] = block;
        slotSequence[slot] = sequence;
        slotKind[slot] = kind;
        outstanding++;
        sent++;
        final long lba = lba(block);
        final int offset = slot * lbaSize;
        if (kind == Kind.LAYOUT_WRITE || kind == Kind.WRITE)
        {
            queuePair.tell(new IoRequest.Write(nsid, lba, 1, dma, offset, false, tag, self));
        }
        else
        {
            queuePair.tell(new IoRequest.Read(nsid, lba, 1, dma, offset, tag, self));
        }
    }

    /** Moves to the next phase once nothing is outstanding and nothing more is to be sent in this one. */
    private void finishPhaseIfIdle()
    {
        if (outstanding != 0)
        {
            return;
        }
        if (phase == Phase.LAYOUT && cursor == ledger.blocks())
        {
            phase = Phase.READY;
            laidOut.complete(layoutFailed);
        }
        else if (phase == Phase.DRAIN)
        {
            phase = Phase.VERIFY;
            cursor = 0;
            for (int slot = 0; slot < slotTag.length; slot++)
            {
                verifyNext(slot);
            }
            finishPhaseIfIdle();
        }
        else if (phase == Phase.VERIFY && cursor == ledger.blocks())
        {
            complete(0);
        }
    }

    private void complete(final long unanswered)
    {
        phase = Phase.DONE;
        timers.cancelAll();
        done.complete(new ClientResult(queue, ledger.blocks(), sent, ok, errors, unanswered, layoutFailed,
            writesAcked, readsChecked, corruptReads, finalChecked, corruptBlocks, unverified, corruptions));
    }

    private long ledgerKnownBlocks()
    {
        long known = 0;
        for (int block = 0; block < ledger.blocks(); block++)
        {
            if (ledger.known(block))
            {
                known++;
            }
        }
        return known;
    }

    private long lba(final int block)
    {
        return (long)block * queues + queue;
    }
}
