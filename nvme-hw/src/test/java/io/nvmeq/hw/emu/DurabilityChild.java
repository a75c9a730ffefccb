package io.nvmeq.hw.emu;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.nvmeq.hw.spec.Opcodes;
import io.nvmeq.hw.spec.Status;

/**
 * The process that KillNineDurabilityTest kills. Drives a file-backed emulated controller as a host
 * (RawHost) and writes distinct random blocks, alternately with FUA and as a plain write followed by a
 * Flush. Before submitting it prints {@code W lba}; once the FUA write, or the Flush after the plain
 * write, has completed it prints {@code A lba}: from then on the block must survive anything short of
 * losing the file. Block contents are {@link #word(int, long, int)}, so the parent can check them.
 *
 * <p>Arguments: backing file, blocks, round, seed. Exits by itself after writing every block once
 * (the parent normally kills it long before).
 */
public final class DurabilityChild
{
    static final int BLOCK = 4096;

    private DurabilityChild()
    {
    }

    /** Word {@code index} (8 bytes) of block {@code lba} as written in {@code round}. */
    static long word(final int round, final long lba, final int index)
    {
        long z = (round * 0x9E3779B97F4A7C15L) ^ (lba * 0xC2B2AE3D27D4EB4FL) ^ (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static EmulatorConfig config(final Path file, final int blocks)
    {
        return EmulatorConfig.builder().file(file).namespaceBytes((long)blocks * BLOCK).blockSize(BLOCK)
            .maxIoQueuePairs(1).maxQueueEntries(64).build();
    }

    public static void main(final String[] args)
    {
        final Path file = Path.of(args[0]);
        final int blocks = Integer.parseInt(args[1]);
        final int round = Integer.parseInt(args[2]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        final PrintStream out = System.out;
        final int[] order = new int[blocks];
        for (int i = 0; i < blocks; i++)
        {
            order[i] = i;
        }
        for (int i = blocks - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        try (RawHost host = RawHost.create(config(file, blocks)))
        {
            host.enable(8);
            final RawHost.HostQueue queue = host.createQueuePair(1, 16);
            final RawHost.Dma data = host.allocate(BLOCK);
            for (int i = 0; i < blocks; i++)
            {
                final long lba = order[i];
                for (int w = 0; w < BLOCK / 8; w++)
                {
                    data.buffer.putLong(w * 8, word(round, lba, w));
                }
                final boolean fua = (i & 1) == 0;
                out.println("W " + lba);
                out.flush();
                final int status = host.execute(queue, e -> e.opcode(Opcodes.NVM_WRITE).namespaceId(1)
                    .startingLba(lba).cdw(12, fua ? Opcodes.RW_FUA : 0).prp1(data.iova)).status();
                require(status, "write");
                if (!fua)
                {
                    require(host.execute(queue, e -> e.opcode(Opcodes.NVM_FLUSH).namespaceId(1)).status(), "flush");
                }
                out.println("A " + lba);
                out.flush();
            }
        }
    }

    private static void require(final int status, final String what)
    {
        if (status != Status.SUCCESS)
        {
            throw new IllegalStateException(what + " failed: " + Status.describe(status));
        }
    }
}
