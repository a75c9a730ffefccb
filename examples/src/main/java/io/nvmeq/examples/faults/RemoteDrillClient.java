package io.nvmeq.examples.faults;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;

import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.actors.remote.RemoteOutcomeUnknownException;
import io.nvmeq.actors.remote.RemoteUnavailableException;
import io.nvmeq.engine.NvmeException;
import io.nvmeq.examples.bench.BlockCodec;

/**
 * One client of the remote fault drill: owns every {@code clients}-th block of the range (one logical block per
 * I/O, never two requests on one block), keeps {@code iodepth} requests outstanding from its own thread, and checks
 * every read against its {@link BlockLedger} as the local drill's clients do. Answers arrive on the remote client's
 * reply thread; the ledger and the tallies are guarded by this object's monitor.
 */
final class RemoteDrillClient
{
    private static final int MAX_CORRUPTIONS = 5;

    private final RemoteNvmeq remote;
    private final int index;
    private final int clients;
    private final int nsid;
    private final int lbaSize;
    private final int rwmixread;
    private final BlockLedger ledger;
    /** Stamps writes on the client's own thread. */
    private final BlockCodec stamper;
    /** Checks reads under the monitor (a codec keeps its own checksum state: one per thread). */
    private final BlockCodec checker;
    private final SplittableRandom random;
    private final Semaphore window;
    private final int depth;
    private final AtomicLong doubleAnswers;

    private long sent;
    private long ok;
    private final Map<String, Long> errors = new HashMap<>();
    private long layoutFailed;
    private long writesAcked;
    private long readsChecked;
    private long corruptReads;
    private long finalChecked;
    private long corruptBlocks;
    private long unverified;
    private long unanswered;
    private final List<String> corruptions = new ArrayList<>();

    RemoteDrillClient(final RemoteNvmeq remote, final int index, final int clients, final int blocks, final DrillSpec spec,
        final int lbaSize, final AtomicLong doubleAnswers)
    {
        this.remote = remote;
        this.index = index;
        this.clients = clients;
        this.nsid = spec.nsid();
        this.lbaSize = lbaSize;
        this.rwmixread = spec.rwmixread();
        this.ledger = new BlockLedger(blocks);
        this.stamper = new BlockCodec(lbaSize, lbaSize, spec.seed());
        this.checker = new BlockCodec(lbaSize, lbaSize, spec.seed());
        this.random = new SplittableRandom(spec.seed() * 31 + index);
        this.depth = Math.min(spec.iodepth(), blocks);
        this.window = new Semaphore(depth);
        this.doubleAnswers = doubleAnswers;
    }

    private long lba(final int block)
    {
        return (long)block * clients + index;
    }

    /** Writes every block once, each retried until it is acknowledged or {@code deadline} passes. */
    void layOut(final long deadline) throws InterruptedException
    {
        for (int block = 0; block < ledger.blocks(); block++)
        {
            boolean settled = false;
            while (!settled)
            {
                final ByteBuffer data = ByteBuffer.allocate(lbaSize);
                final long sequence;
                synchronized (this)
                {
                    sequence = ledger.nextWrite(block);
                }
                stamper.stamp(new UnsafeBuffer(data), 0, lba(block) * lbaSize, sequence);
                final NvmeException error = await(remote.write(nsid, lba(block), 1, data, false), deadline);
                synchronized (this)
                {
                    sent++;
                    if (error == null)
                    {
                        ok++;
                        ledger.settle(block, sequence);
                        settled = true;
                    }
                    else
                    {
                        count(error);
                        ledger.writeFailed(block, sequence);
                    }
                }
                if (!settled)
                {
                    if (System.nanoTime() > deadline)
                    {
                        synchronized (this)
                        {
                            layoutFailed++;
                        }
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
        }
    }

    /** Random reads and writes with {@code depth} outstanding until {@code until}, then waits for them (bounded). */
    void run(final long until, final long drainDeadline) throws InterruptedException
    {
        while (System.nanoTime() < until)
        {
            if (!window.tryAcquire(10, TimeUnit.MILLISECONDS))
            {
                continue;
            }
            final int block;
            final boolean read;
            final long sequence;
            synchronized (this)
            {
                int candidate = random.nextInt(ledger.blocks());
                for (int tries = 0; ledger.busy(candidate) && tries < ledger.blocks(); tries++)
                {
                    candidate = (candidate + 1) % ledger.blocks();
                }
                block = candidate;
                ledger.acquire(block);
                read = random.nextInt(100) < rwmixread;
                sequence = read ? -1 : ledger.nextWrite(block);
                sent++;
            }
            final ByteBuffer data = ByteBuffer.allocate(lbaSize);
            final AtomicBoolean answered = new AtomicBoolean();
            if (read)
            {
                remote.read(nsid, lba(block), 1, data).whenComplete((ignored, failure) ->
                    answered(answered, () -> readAnswered(block, data, failure)));
            }
            else
            {
                stamper.stamp(new UnsafeBuffer(data), 0, lba(block) * lbaSize, sequence);
                remote.write(nsid, lba(block), 1, data, false).whenComplete((ignored, failure) ->
                    answered(answered, () -> writeAnswered(block, sequence, failure)));
            }
            if (!remote.connected())
            {
                TimeUnit.MILLISECONDS.sleep(10); // refused at once while no server is reachable: don't spin
            }
        }
        if (!window.tryAcquire(depth, Math.max(0, drainDeadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            synchronized (this)
            {
                unanswered += depth - window.availablePermits();
            }
        }
        else
        {
            window.release(depth);
        }
    }

    private void answered(final AtomicBoolean answered, final Runnable handle)
    {
        if (!answered.compareAndSet(false, true))
        {
            doubleAnswers.incrementAndGet();
            return;
        }
        handle.run();
        window.release();
    }

    private synchronized void writeAnswered(final int block, final long sequence, final Throwable failure)
    {
        ledger.release(block);
        if (failure == null)
        {
            ok++;
            writesAcked++;
            ledger.settle(block, sequence);
        }
        else
        {
            count(unwrap(failure));
            ledger.writeFailed(block, sequence);
        }
    }

    private synchronized void readAnswered(final int block, final ByteBuffer data, final Throwable failure)
    {
        ledger.release(block);
        if (failure != null)
        {
            count(unwrap(failure));
            return;
        }
        ok++;
        readsChecked++;
        if (!check(block, data))
        {
            corruptReads++;
        }
    }

    /** Whether the block read may hold what it holds; a good read settles the block. */
    private boolean check(final int block, final ByteBuffer data)
    {
        final UnsafeBuffer view = new UnsafeBuffer(data);
        final String problem = checker.check(view, 0, lba(block) * lbaSize, -1);
        final long sequence = BlockCodec.sequence(view, 0);
        if (problem == null && ledger.acceptable(block, sequence))
        {
            ledger.settle(block, sequence);
            return true;
        }
        if (corruptions.size() < MAX_CORRUPTIONS)
        {
            corruptions.add("LBA " + lba(block) + ": " + (problem != null ? problem : "holds write " + sequence +
                ", expected " + ledger.expected(block)));
        }
        return false;
    }

    /** Reads every block once, each retried while the server is away, until {@code deadline}. */
    void readBack(final long deadline) throws InterruptedException
    {
        for (int block = 0; block < ledger.blocks(); block++)
        {
            while (true)
            {
                final ByteBuffer data = ByteBuffer.allocate(lbaSize);
                final NvmeException error = await(remote.read(nsid, lba(block), 1, data), deadline);
                synchronized (this)
                {
                    sent++;
                    if (error == null)
                    {
                        ok++;
                        finalChecked++;
                        if (!check(block, data))
                        {
                            corruptBlocks++;
                        }
                        break;
                    }
                    count(error);
                    if (System.nanoTime() > deadline ||
                        !(error instanceof RemoteUnavailableException || error instanceof RemoteOutcomeUnknownException))
                    {
                        unverified++;
                        break;
                    }
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    synchronized ClientResult result()
    {
        return new ClientResult(index, ledger.blocks(), sent, ok, errors, unanswered, layoutFailed, writesAcked,
            readsChecked, corruptReads, finalChecked, corruptBlocks, unverified, corruptions);
    }

    private void count(final NvmeException error)
    {
        errors.merge(ErrorKinds.of(error), 1L, Long::sum);
    }

    private static NvmeException await(final CompletionStage<Void> stage, final long deadline)
        throws InterruptedException
    {
        try
        {
            stage.toCompletableFuture().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        }
        catch (final ExecutionException ex)
        {
            return unwrap(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            return new RemoteOutcomeUnknownException("no answer before the drill's phase deadline");
        }
    }

    private static NvmeException unwrap(final Throwable failure)
    {
        final Throwable cause = failure instanceof CompletionException && failure.getCause() != null ?
            failure.getCause() : failure;
        return cause instanceof NvmeException nvme ? nvme : new NvmeException(String.valueOf(cause), cause);
    }
}
