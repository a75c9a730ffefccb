package io.nvmeq.actors;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import io.nvmeq.engine.DmaBuffer;
import org.agrona.BufferUtil;

/**
 * The buffers the fuzz tests pick from: the controller's own DMA buffers, one closed (whose IOVA its
 * successor got), one of another controller, direct, registered, heap and read-only byte buffers, and
 * null. Every byte of them is test memory for an {@link AccessGuard}.
 */
final class FuzzBuffers
{
    /** Byte buffers are this much larger than DMA buffers, so that odd positions still hold a full transfer. */
    static final int SLACK = 64;

    enum Choice
    {
        DMA_A, DMA_B, DMA_CLOSED, DMA_FOREIGN, DMA_NULL, DIRECT, DIRECT_READ_ONLY, REGISTERED, HEAP, HEAP_READ_ONLY,
        BYTES_NULL;

        boolean dma()
        {
            return ordinal() <= DMA_NULL.ordinal();
        }

        boolean usableDma()
        {
            return this == DMA_A || this == DMA_B;
        }

        boolean isNull()
        {
            return this == DMA_NULL || this == BYTES_NULL;
        }

        boolean readOnly()
        {
            return this == DIRECT_READ_ONLY || this == HEAP_READ_ONLY;
        }
    }

    private final int capacity;
    private final DmaBuffer a;
    private final DmaBuffer b;
    private final DmaBuffer closed;
    private final DmaBuffer foreign;
    private final ByteBuffer direct;
    private final ByteBuffer registered;
    private final ByteBuffer heap;

    /**
     * @param allocate        the controller's allocator
     * @param allocateForeign another controller's allocator
     * @param register        registers a direct buffer with the controller
     */
    FuzzBuffers(final int capacity, final IntFunction<DmaBuffer> allocate, final IntFunction<DmaBuffer> allocateForeign,
        final Consumer<ByteBuffer> register, final AccessGuard guard)
    {
        this.capacity = capacity;
        this.a = allocate.apply(capacity);
        this.closed = allocate.apply(capacity);
        final long closedAddress = closed.address();
        closed.close();
        this.b = allocate.apply(capacity);
        this.foreign = allocateForeign.apply(capacity);
        this.direct = ByteBuffer.allocateDirect(capacity + SLACK);
        this.registered = ByteBuffer.allocateDirect(capacity + SLACK);
        register.accept(registered);
        this.heap = ByteBuffer.allocate(capacity + SLACK);
        for (final DmaBuffer buffer : new DmaBuffer[] {a, b, foreign})
        {
            guard.own(buffer.address(), buffer.address() + capacity);
            final byte[] random = new byte[capacity];
            ThreadLocalRandom.current().nextBytes(random);
            buffer.buffer().putBytes(0, random);
        }
        guard.own(closedAddress, closedAddress + capacity);
        for (final ByteBuffer buffer : new ByteBuffer[] {direct, registered})
        {
            final long address = BufferUtil.address(buffer);
            guard.own(address, address + buffer.capacity());
        }
    }

    int capacity()
    {
        return capacity;
    }

    /** Copies of every buffer the device could reach wrongly (A, B, foreign, direct, registered, heap). */
    byte[][] snapshot()
    {
        final byte[][] copies = new byte[6][];
        int i = 0;
        for (final DmaBuffer buffer : new DmaBuffer[] {a, b, foreign})
        {
            copies[i] = new byte[capacity];
            buffer.buffer().getBytes(0, copies[i++]);
        }
        for (final ByteBuffer buffer : new ByteBuffer[] {direct, registered, heap})
        {
            copies[i] = new byte[buffer.capacity()];
            buffer.duplicate().clear().get(copies[i++]);
        }
        return copies;
    }

    /**
     * What changed in the buffers since {@code before}, outside the bytes that {@code request} was
     * allowed to change (those of a valid read); empty if nothing else changed.
     */
    String changedOutside(final byte[][] before, final FuzzRequest request, final boolean valid, final int blockSize)
    {
        final byte[][] after = snapshot();
        final int allowedIn = valid && request.kind().reads() ? memoryOf(request) : -1;
        final long start = allowedIn < 0 ? 0 : startOf(request);
        final long end = allowedIn < 0 ? 0 : start + (long)request.blocks() * blockSize;
        for (int m = 0; m < after.length; m++)
        {
            for (int i = 0; i < after[m].length; i++)
            {
                if (after[m][i] != before[m][i] && !(m == allowedIn && i >= start && i < end))
                {
                    return "buffer " + m + " byte " + i + " changed by " + request;
                }
            }
        }
        return "";
    }

    /** The bytes of {@code request}'s range in its buffer: a write's source, or a read's result. */
    byte[] bytesOf(final FuzzRequest request, final int blockSize)
    {
        final byte[] bytes = new byte[request.blocks() * blockSize];
        if (request.kind().dma())
        {
            dma(request).buffer().getBytes(request.offset(), bytes);
        }
        else
        {
            bytes(request).duplicate().get(bytes);
        }
        return bytes;
    }

    /** Index in {@link #snapshot()} of the buffer a (valid) data request uses. */
    private int memoryOf(final FuzzRequest request)
    {
        if (request.kind().dma())
        {
            return request.buffer() == Choice.DMA_B ? 1 : 0;
        }
        return switch (request.buffer())
        {
            case REGISTERED -> 4;
            case HEAP, HEAP_READ_ONLY -> 5;
            default -> 3;
        };
    }

    private long startOf(final FuzzRequest request)
    {
        return request.kind().dma() ? request.offset() : position(request);
    }

    /** The DmaBuffer a request names (null for DMA_NULL); byte-buffer choices name A. */
    DmaBuffer dma(final FuzzRequest request)
    {
        return switch (request.buffer())
        {
            case DMA_B -> b;
            case DMA_CLOSED -> closed;
            case DMA_FOREIGN -> foreign;
            case DMA_NULL -> null;
            default -> a;
        };
    }

    /** A fresh view of the byte buffer a request names, at its position (null for BYTES_NULL); DMA choices name DIRECT. */
    ByteBuffer bytes(final FuzzRequest request)
    {
        final ByteBuffer base = switch (request.buffer())
        {
            case REGISTERED -> registered;
            case HEAP, HEAP_READ_ONLY -> heap;
            case BYTES_NULL -> null;
            default -> direct;
        };
        if (base == null)
        {
            return null;
        }
        final ByteBuffer view = base.duplicate().position(position(request));
        return request.buffer().readOnly() ? view.asReadOnlyBuffer() : view;
    }

    /** A byte buffer's position for a request: its offset, folded into the buffer (odd ones included). */
    int position(final FuzzRequest request)
    {
        return Math.floorMod(request.offset(), capacity + SLACK);
    }

    /**
     * The host range the device may touch for {@code request}, {start, end}; empty if it must touch no
     * test memory (refused, no data, or bounced).
     */
    long[] allowedRange(final FuzzRequest request, final boolean valid, final int blockSize)
    {
        if (!valid || !request.kind().moves())
        {
            return new long[] {0, 0};
        }
        final long length = (long)request.blocks() * blockSize;
        if (request.kind().dma())
        {
            final long start = dma(request).address() + request.offset();
            return new long[] {start, start + length};
        }
        final ByteBuffer view = bytes(request);
        if (!view.isDirect())
        {
            return new long[] {0, 0};
        }
        final long start = BufferUtil.address(view) + view.position();
        return new long[] {start, start + length};
    }
}
