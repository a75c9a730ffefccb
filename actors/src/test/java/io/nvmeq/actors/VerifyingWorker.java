package io.nvmeq.actors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.nvmeq.engine.DmaBuffer;

/**
 * A closed-loop, self-checking workload on one queue pair, for the fault-injection tests: several
 * lanes, each owning its own blocks, write a new version of a block and read it back, forever. Every
 * reply is matched to its one outstanding request (a second or unknown reply is a problem), and every
 * read must return the last version whose write was acknowledged — or, after a write failed typed,
 * either that or the failed write's version (the write may or may not have reached the media).
 */
final class VerifyingWorker extends AbstractBehavior<VerifyingWorker.Command>
{
    sealed interface Command permits Reply, CrashQueue, Finish
    {
    }

    record Reply(IoReply reply) implements Command
    {
    }

    /** Sends the queue pair a Crash right after the next request, so requests may be caught unsubmitted. */
    record CrashQueue(boolean whilePolling) implements Command
    {
    }

    record Finish(ActorRef<Report> replyTo) implements Command
    {
    }

    /** @param versions per block, the version its last acknowledged write wrote (-1: never written) */
    record Report(long writesDone, long writesFailed, long readsVerified, List<String> problems, int[] versions)
    {
    }

    private static final int NONE = Integer.MIN_VALUE;

    private final ActorRef<QueuePairCommand> queue;
    private final ActorRef<IoReply> replies;
    private final int nsid;
    private final int queueIndex;
    private final long firstLba;
    private final int blocksPerOp;
    private final int bytesPerOp;
    private final int blockCount;
    private final int lanes;
    private final DmaBuffer[] buffers;
    private final AtomicLong completedOps;

    private final int[] acked;
    private final int[] uncertain;
    private final int[] laneBlock;
    private final boolean[] laneReading;
    private final Map<Long, Integer> outstanding = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long nextTag;
    private long writesDone;
    private long writesFailed;
    private long readsVerified;
    private boolean crashAfterNextSend;
    private boolean crashWhilePolling;
    private ActorRef<Report> finishTo;

    /**
     * @param blockCount blocks of {@code blocksPerOp} logical blocks each from {@code firstLba}, split over the lanes
     * @param buffers    one buffer of at least blocksPerOp logical blocks per lane
     */
    static Behavior<Command> create(
        final ActorRef<QueuePairCommand> queue,
        final int queueIndex,
        final int nsid,
        final long firstLba,
        final int blocksPerOp,
        final int bytesPerOp,
        final int blockCount,
        final DmaBuffer[] buffers,
        final AtomicLong completedOps)
    {
        return Behaviors.setup(context -> new VerifyingWorker(context, queue, queueIndex, nsid, firstLba, blocksPerOp,
            bytesPerOp, blockCount, buffers, completedOps));
    }

    private VerifyingWorker(
        final ActorContext<Command> context,
        final ActorRef<QueuePairCommand> queue,
        final int queueIndex,
        final int nsid,
        final long firstLba,
        final int blocksPerOp,
        final int bytesPerOp,
        final int blockCount,
        final DmaBuffer[] buffers,
        final AtomicLong completedOps)
    {
        super(context);
        this.queue = queue;
        this.queueIndex = queueIndex;
        this.nsid = nsid;
        this.firstLba = firstLba;
        this.blocksPerOp = blocksPerOp;
        this.bytesPerOp = bytesPerOp;
        this.blockCount = blockCount;
        this.lanes = buffers.length;
        this.buffers = buffers;
        this.completedOps = completedOps;
        this.replies = context.messageAdapter(IoReply.class, Reply::new);
        this.acked = new int[blockCount];
        this.uncertain = new int[blockCount];
        Arrays.fill(acked, -1);
        Arrays.fill(uncertain, NONE);
        this.laneBlock = new int[lanes];
        this.laneReading = new boolean[lanes];
        for (int lane = 0; lane < lanes; lane++)
        {
            laneBlock[lane] = lane;
            write(lane);
        }
    }

    /** The content of {@code block} at {@code version}; version -1 is the never-written (zeroed) block. */
    byte[] expected(final int block, final int version)
    {
        return version < 0 ? new byte[bytesPerOp] : TestSupport.pattern(((long)queueIndex << 40) ^ ((long)block << 20) ^ version,
            bytesPerOp);
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Reply.class, this::onReply)
            .onMessage(CrashQueue.class, crash ->
            {
                crashAfterNextSend = true;
                crashWhilePolling = crash.whilePolling();
                return this;
            })
            .onMessage(Finish.class, finish ->
            {
                finishTo = finish.replyTo();
                reportIfDone();
                return this;
            })
            .build();
    }

    private void write(final int lane)
    {
        final int block = laneBlock[lane];
        final int version = Math.max(acked[block], uncertain[block]) + 1;
        buffers[lane].buffer().putBytes(0, expected(block, version));
        laneReading[lane] = false;
        send(lane, tag -> new IoRequest.Write(nsid, lba(block), blocksPerOp, buffers[lane], 0, (version & 7) == 0, tag,
            replies));
    }

    private void read(final int lane)
    {
        final int block = laneBlock[lane];
        buffers[lane].buffer().setMemory(0, bytesPerOp, (byte)0x5A);
        laneReading[lane] = true;
        send(lane, tag -> new IoRequest.Read(nsid, lba(block), blocksPerOp, buffers[lane], 0, tag, replies));
    }

    private long lba(final int block)
    {
        return firstLba + (long)block * blocksPerOp;
    }

    private void send(final int lane, final java.util.function.LongFunction<IoRequest> request)
    {
        final long tag = ((long)queueIndex << 48) | nextTag++;
        outstanding.put(tag, lane);
        queue.tell(request.apply(tag));
        if (crashAfterNextSend)
        {
            crashAfterNextSend = false;
            queue.tell(new QueuePairCommand.Crash("kill test", crashWhilePolling));
        }
    }

    private Behavior<Command> onReply(final Reply message)
    {
        final IoReply reply = message.reply();
        final Integer lane = outstanding.remove(reply.tag());
        if (lane == null)
        {
            problems.add("reply for a request that is not outstanding (answered twice or never sent): " + reply);
            return this;
        }
        completedOps.incrementAndGet();
        final int block = laneBlock[lane];
        if (!laneReading[lane])
        {
            final int version = Math.max(acked[block], uncertain[block]) + 1;
            if (reply instanceof IoReply.Done)
            {
                writesDone++;
                acked[block] = version;
                uncertain[block] = NONE;
            }
            else if (isRecoveryFailure(((IoReply.Failed)reply).error()))
            {
                writesFailed++;
                uncertain[block] = version;
            }
            else
            {
                problems.add("write of block " + block + " failed unexpectedly: " + ((IoReply.Failed)reply).error());
            }
            read(lane);
            return this;
        }
        if (reply instanceof IoReply.Failed failed)
        {
            if (!isRecoveryFailure(failed.error()))
            {
                problems.add("read of block " + block + " failed unexpectedly: " + failed.error());
            }
            read(lane);
            return this;
        }
        final byte[] content = TestSupport.contents(buffers[lane], 0, bytesPerOp);
        if (Arrays.equals(content, expected(block, acked[block])))
        {
            uncertain[block] = NONE;
            readsVerified++;
        }
        else if (uncertain[block] != NONE && Arrays.equals(content, expected(block, uncertain[block])))
        {
            acked[block] = uncertain[block];
            uncertain[block] = NONE;
            readsVerified++;
        }
        else
        {
            problems.add("block " + block + " of queue " + queueIndex + " reads back neither version " + acked[block] +
                " (acknowledged) nor " + uncertain[block] + " (failed write)");
        }
        if (finishTo != null)
        {
            reportIfDone();
            return this;
        }
        laneBlock[lane] = (laneBlock[lane] + lanes) % blockCount;
        write(lane);
        return this;
    }

    private static boolean isRecoveryFailure(final Throwable error)
    {
        return error instanceof QueuePairRestartedException;
    }

    private void reportIfDone()
    {
        if (finishTo != null && outstanding.isEmpty())
        {
            finishTo.tell(new Report(writesDone, writesFailed, readsVerified, List.copyOf(problems), acked.clone()));
            finishTo = null;
        }
    }
}
