package io.nvmeq.actors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One random request for the fuzz tests, most of them invalid on purpose, and the oracle that says
 * which are valid: a valid request must succeed, an invalid one must be refused with
 * InvalidRequestException and change nothing.
 */
record FuzzRequest(Kind kind, int nsid, long lba, int blocks, FuzzBuffers.Choice buffer, int offset, boolean fua,
    boolean deallocate)
{
    enum Kind
    {
        READ_DMA, WRITE_DMA, READ_BYTES, WRITE_BYTES, FLUSH, WRITE_ZEROES, DEALLOCATE;

        boolean moves()
        {
            return this != FLUSH && this != WRITE_ZEROES && this != DEALLOCATE;
        }

        boolean reads()
        {
            return this == READ_DMA || this == READ_BYTES;
        }

        boolean dma()
        {
            return this == READ_DMA || this == WRITE_DMA;
        }
    }

    /** Requests against a namespace of {@code namespaceBlocks} blocks, with buffers of {@code bufferBytes}. */
    static Arbitrary<FuzzRequest> requests(final long namespaceBlocks, final int bufferBytes, final boolean withNull)
    {
        final Arbitrary<Integer> nsid = Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just(1)),
            Tuple.of(1, Arbitraries.of(0, -1, 2, 99, Integer.MAX_VALUE, Integer.MIN_VALUE)));
        final Arbitrary<Long> lba = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(0, namespaceBlocks - 1)),
            Tuple.of(1, Arbitraries.of(-1L, namespaceBlocks - 1, namespaceBlocks, namespaceBlocks - 40, Long.MAX_VALUE,
                Long.MIN_VALUE, Long.MAX_VALUE - 1)));
        final Arbitrary<Integer> blocks = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(1, 40)),
            Tuple.of(1, Arbitraries.of(0, -1, 65536, 65537, Integer.MAX_VALUE, Integer.MIN_VALUE)));
        final Arbitrary<FuzzBuffers.Choice> buffer = withNull
            ? Arbitraries.of(FuzzBuffers.Choice.values())
            : Arbitraries.of(FuzzBuffers.Choice.values()).filter(choice -> !choice.isNull());
        final Arbitrary<Integer> offset = Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.of(0, 512, 4096)),
            Tuple.of(2, Arbitraries.integers().between(0, bufferBytes)),
            Tuple.of(1, Arbitraries.of(-4, -1, 1, 2, 3, 6, Integer.MAX_VALUE, Integer.MIN_VALUE, bufferBytes - 512)));
        return Combinators.combine(Arbitraries.of(Kind.values()), nsid, lba, blocks, buffer, offset,
                Arbitraries.integers().between(0, 3))
            .as((kind, n, l, b, choice, o, flags) -> new FuzzRequest(kind, n, l, b, choice, o, (flags & 1) != 0,
                (flags & 2) != 0));
    }

    /** Whether the driver must accept it (namespace 1 of {@code namespaceBlocks} blocks of {@code blockSize}). */
    boolean valid(final FuzzBuffers buffers, final long namespaceBlocks, final int blockSize)
    {
        if (nsid != 1)
        {
            return false;
        }
        if (kind == Kind.FLUSH)
        {
            return true;
        }
        if (blocks < 1 || lba < 0 || lba > namespaceBlocks - blocks)
        {
            return false;
        }
        if (kind == Kind.WRITE_ZEROES)
        {
            return blocks <= 65536;
        }
        if (kind == Kind.DEALLOCATE)
        {
            return true;
        }
        final long length = (long)blocks * blockSize;
        if (kind.dma())
        {
            // A byte-buffer choice names DMA buffer A (see FuzzBuffers#dma).
            final boolean usable = buffer.usableDma() || !buffer.dma();
            return usable && offset >= 0 && (offset & 3) == 0 && offset <= buffers.capacity() - length;
        }
        // A DMA choice names the direct byte buffer (see FuzzBuffers#bytes).
        if (buffer == FuzzBuffers.Choice.BYTES_NULL || kind.reads() && buffer.readOnly())
        {
            return false;
        }
        return buffers.capacity() + FuzzBuffers.SLACK - buffers.position(this) >= length;
    }
}
