package io.nvmeq.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.nvmeq.engine.ControllerResetTest.Tally;
import io.nvmeq.hw.device.Devices;
import io.nvmeq.hw.device.ForwardingDevice;
import io.nvmeq.hw.device.NvmeDevice;
import io.nvmeq.hw.device.RegisterSpace;
import io.nvmeq.hw.spec.Registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An owner that checked the generation and was then descheduled before its doorbell write: the reset
 * must not re-create the queue under it, or the old tail reaches the new queue (the device runs stale
 * entries, its indices no longer match the owner's cleared rings, and later commands are never answered).
 */
class DoorbellDuringResetTest
{
    private NvmeController controller;

    @AfterEach
    void close()
    {
        if (controller != null)
        {
            controller.close();
        }
    }

    @Test
    void aDoorbellWriteHeldAcrossAResetDoesNotReachTheRecreatedQueue() throws Exception
    {
        final HeldDoorbell device = new HeldDoorbell(Devices.open("emu:memory?size=8m&bs=512"));
        controller = NvmeController.open(device, BufferPathsTest.options());
        final QueuePair queue = controller.createQueuePair(1);
        device.watch(Registers.sqTailDoorbell(1, Registers.capDstrd(device.registers().read64(Registers.CAP))));
        try (DmaBuffer buffer = controller.allocateBuffer(32 * 512))
        {
            for (int i = 0; i < 32; i++)
            {
                buffer.buffer().setMemory(i * 512, 512, (byte)(i + 1));
            }
            // Some I/O first, so the rings are not at their start when the reset comes.
            write(queue, buffer, 0, 5);
            // The next tail doorbell write is held while a reset runs (as if the owner were descheduled
            // between its generation check and the write), then goes through.
            device.holdNextWrite(() -> controller.resetAsync("test"));
            write(queue, buffer, 5, 8);
            assertEquals(1, controller.resetCount());
            // The queue works after the reset: rings and device agree again.
            write(queue, buffer, 13, 19);
            final ByteBuffer back = ByteBuffer.allocate(32 * 512);
            final Tally read = new Tally(1);
            assertTrue(queue.submitRead(1, 0, 32, back, read, 0, null));
            drain(queue, read, 1);
            read.assertEachAnsweredOnce();
            assertEquals(0, read.failures);
            final byte[] expected = new byte[32 * 512];
            buffer.buffer().getBytes(0, expected);
            assertArrayEquals(expected, back.array());
        }
    }

    /** Writes blocks {@code from} .. {@code from + count - 1}, one command each, and waits for every answer. */
    private static void write(final QueuePair queue, final DmaBuffer buffer, final int from, final int count)
    {
        final Tally tally = new Tally(count);
        int next = 0;
        for (int i = 0; i < 1_000_000 && tally.answered() < count; i++)
        {
            while (next < count && queue.submitWrite(1, from + next, 1, buffer, (from + next) * 512, false, tally, next,
                null))
            {
                next++;
            }
            queue.poll(64);
        }
        tally.assertEachAnsweredOnce();
        assertEquals(0, tally.failures, "retried, not failed");
    }

    private static void drain(final QueuePair queue, final Tally tally, final int count)
    {
        for (int i = 0; i < 1_000_000 && tally.answered() < count; i++)
        {
            queue.poll(64);
        }
    }

    /**
     * The emulated controller behind a register space that can hold one doorbell write while something
     * else (a reset) runs: a slow path from the CPU to the device, nothing more.
     */
    private static final class HeldDoorbell extends ForwardingDevice implements RegisterSpace
    {
        private final RegisterSpace registers;
        private volatile int watched = -1;
        private volatile Supplier<CompletableFuture<Void>> meanwhile;

        HeldDoorbell(final NvmeDevice device)
        {
            super(device);
            this.registers = device.registers();
        }

        void watch(final int offset)
        {
            watched = offset;
        }

        void holdNextWrite(final Supplier<CompletableFuture<Void>> action)
        {
            meanwhile = action;
        }

        @Override
        public void write32(final int offset, final int value)
        {
            final Supplier<CompletableFuture<Void>> action = meanwhile;
            if (offset == watched && action != null)
            {
                meanwhile = null;
                // Long enough for a reset to run to its end, unless it waits for this write.
                awaitQuietly(action.get());
            }
            registers.write32(offset, value);
        }

        private static void awaitQuietly(final CompletableFuture<Void> reset)
        {
            try
            {
                reset.get(2, TimeUnit.SECONDS);
            }
            catch (final TimeoutException | ExecutionException ignored)
            {
                // The reset waits for this write to end: let it go through.
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public int read32(final int offset)
        {
            return registers.read32(offset);
        }

        @Override
        public long read64(final int offset)
        {
            return registers.read64(offset);
        }

        @Override
        public void write64(final int offset, final long value)
        {
            registers.write64(offset, value);
        }

        @Override
        public RegisterSpace registers()
        {
            return this;
        }
    }
}
