package io.nvmeq.examples.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.nvmeq.engine.CompletionHandler;
import io.nvmeq.engine.ControllerOptions;
import io.nvmeq.engine.DmaBuffer;
import io.nvmeq.engine.NvmeController;
import io.nvmeq.engine.PrpBuilder;
import io.nvmeq.engine.QueuePair;
import io.nvmeq.engine.RegisteredBuffer;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.SubmissionEntry;

/**
 * The engine's hot paths: encoding a Read into a submission entry, building PRPs, looking up a
 * registered IOVA, and a whole submit + poll cycle of 4 KiB reads at queue depth 32 against the
 * emulated controller's null namespace (which moves no data, so what is measured is the driver plus
 * the emulator's command handling). Run with {@code -prof gc} to see allocation per operation.
 *
 * <pre>
 * java -cp examples/target/nvmeq.jar org.openjdk.jmh.Main EngineBenchmarks -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "-Djnr.ffi.x86asm.enabled=false", "-Xmx1g"})
public class EngineBenchmarks
{
    private static final int QUEUE_DEPTH = 32;

    /** A submission entry and a PRP list page in plain memory: encoding and PRPs without a device. */
    @State(Scope.Thread)
    public static class Encoding
    {
        final UnsafeBuffer sq = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 64));
        final UnsafeBuffer lists = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 4096));
        final SubmissionEntry entry = new SubmissionEntry();
        int slot;
        long lba;
    }

    /** The same, with a transfer size to describe. */
    @State(Scope.Thread)
    public static class Prps extends Encoding
    {
        @Param({"4096", "8192", "131072", "4194304"})
        int bytes;
    }

    /** The sequence QueuePair runs per 4 KiB read: clear, opcode, id, namespace, LBA, count, PRPs. */
    @Benchmark
    public SubmissionEntry encodeRead4k(final Encoding state)
    {
        final int slot = state.slot = (state.slot + 1) & 63;
        final long lba = state.lba = (state.lba + 8) & 0xFFFFF;
        final SubmissionEntry entry = state.entry.wrap(state.sq, slot * SubmissionEntry.SIZE)
            .clear()
            .opcode(Opcodes.NVM_READ)
            .commandId(slot)
            .namespaceId(1)
            .startingLba(lba)
            .cdw(12, 7);
        PrpBuilder.describe(entry, 0x10_0000L + lba * 512, 4096, state.lists, 0, 0x20_0000L);
        return entry;
    }

    /** PRP1/PRP2/list/chained list for transfers of 4 KiB, 8 KiB, 128 KiB and 4 MiB (from a 512-byte offset). */
    @Benchmark
    public SubmissionEntry buildPrps(final Prps state)
    {
        final SubmissionEntry entry = state.entry.wrap(state.sq, 0);
        PrpBuilder.describe(entry, 0x10_0200L, state.bytes, state.lists, 0, 0x20_0000L);
        return entry;
    }

    /** 64 registered buffers; a lookup of a random byte range in one of them. */
    @State(Scope.Thread)
    public static class Lookup
    {
        NvmeController controller;
        RegisteredBuffer[] registrations;
        long[] addresses;
        int next;

        @Setup(Level.Trial)
        public void open()
        {
            controller = NvmeController.open(Devices.open("emu:null?size=1g&bs=512"),
                ControllerOptions.defaults().withIoQueuePairs(1));
            registrations = new RegisteredBuffer[64];
            addresses = new long[1024];
            final ByteBuffer memory = ByteBuffer.allocateDirect(64 * 65536);
            for (int i = 0; i < 64; i++)
            {
                final ByteBuffer slice = memory.duplicate().position(i * 65536).limit((i + 1) * 65536).slice();
                registrations[i] = controller.registerBuffer(slice);
            }
            final long base = BufferUtil.address(memory);
            for (int i = 0; i < addresses.length; i++)
            {
                addresses[i] = base + (long)((i * 7919) % 64) * 65536 + (i * 4096L) % 61440;
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            controller.close();
        }
    }

    @Benchmark
    public long iovaLookup(final Lookup state)
    {
        final int i = state.next = (state.next + 1) & 1023;
        return state.controller.registeredIova(state.addresses[i], 4096);
    }

    /**
     * A queue pair at depth 32 on {@code emu:null}: each completion handler resubmits a 4 KiB read at
     * once, so 32 are always in flight; one invocation polls until 32 have completed.
     */
    @State(Scope.Thread)
    public static class Io implements CompletionHandler<Object>
    {
        NvmeController controller;
        QueuePair queue;
        DmaBuffer buffer;
        long completions;
        long lba;
        boolean closing;

        @Setup(Level.Trial)
        public void open()
        {
            controller = NvmeController.open(Devices.open("emu:null?size=1g&bs=512"),
                ControllerOptions.defaults().withIoQueuePairs(1).withIoQueueEntries(64));
            queue = controller.createQueuePair(1);
            buffer = controller.allocateBuffer(QUEUE_DEPTH * 4096);
            for (int i = 0; i < QUEUE_DEPTH; i++)
            {
                submit(i);
            }
        }

        void submit(final long slot)
        {
            lba = (lba + 8) & 0x1FFFFF;
            if (!queue.submitRead(1, lba, 8, buffer, (int)slot * 4096, this, slot, null))
            {
                throw new IllegalStateException("queue full at depth " + queue.inFlight());
            }
        }

        @Override
        public void onCompletion(final long token, final Object attachment, final int status)
        {
            if (closing)
            {
                return; // deleting the queue answers what is in flight as aborted
            }
            if (status != 0)
            {
                throw new IllegalStateException("read failed: status 0x" + Integer.toHexString(status));
            }
            completions++;
            submit(token);
        }

        @TearDown(Level.Trial)
        public void close()
        {
            closing = true;
            controller.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(QUEUE_DEPTH)
    public long submitPollQd32(final Io state)
    {
        final long target = state.completions + QUEUE_DEPTH;
        while (state.completions < target)
        {
            state.queue.poll(QUEUE_DEPTH);
        }
        return state.completions;
    }
}
