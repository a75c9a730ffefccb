package io.nvmeq.examples.io;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

/**
 * Test data that can be generated again at any position, so that what was written can be checked on read-back
 * without keeping a copy: either one repeated byte ({@code 0xAB}) or a pseudo-random stream ({@code random:SEED}).
 *
 * <p>The random stream is counter-based (each 8-byte word is a hash of the seed and the word's position), so
 * the bytes at a position do not depend on how a transfer was split into commands, and a block written to the
 * wrong LBA does not match the block that belongs there.
 */
public abstract class DataPattern
{
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /**
     * Fill {@code length} bytes of {@code buffer} from {@code index} with the pattern's bytes at stream
     * positions {@code position .. position + length - 1}.
     */
    public abstract void fill(MutableDirectBuffer buffer, int index, int length, long position);

    /** The form that {@link #parse(String)} reads back. */
    @Override
    public abstract String toString();

    public static DataPattern constant(final byte value)
    {
        return new Constant(value);
    }

    public static DataPattern random(final long seed)
    {
        return new Random(seed);
    }

    /**
     * Parse {@code 0xAB} / {@code 171} (one byte, repeated) or {@code random:SEED} (seed in decimal or 0x hex).
     *
     * @throws IllegalArgumentException with a message fit for a user when the text is neither
     */
    public static DataPattern parse(final String text)
    {
        final String trimmed = text.trim();
        if (trimmed.regionMatches(true, 0, "random:", 0, 7))
        {
            return random(Numbers.parseLong(trimmed.substring(7), "random seed"));
        }
        final long value = Numbers.parseLong(trimmed, "pattern byte");
        if (value < 0 || value > 0xFF)
        {
            throw new IllegalArgumentException(
                "pattern byte must be 0x00..0xFF (0..255), not '" + text + "'; or use random:SEED");
        }
        return constant((byte)value);
    }

    private static final class Constant extends DataPattern
    {
        private final byte value;

        Constant(final byte value)
        {
            this.value = value;
        }

        @Override
        public void fill(final MutableDirectBuffer buffer, final int index, final int length, final long position)
        {
            buffer.setMemory(index, length, value);
        }

        @Override
        public String toString()
        {
            return String.format("0x%02X", value & 0xFF);
        }
    }

    private static final class Random extends DataPattern
    {
        private final long seed;

        Random(final long seed)
        {
            this.seed = seed;
        }

        @Override
        public void fill(final MutableDirectBuffer buffer, final int index, final int length, final long position)
        {
            int i = 0;
            // Bytes before the first 8-byte boundary of the stream, then whole words, then the tail.
            while (i < length && ((position + i) & 7) != 0)
            {
                buffer.putByte(index + i, byteAt(position + i));
                i++;
            }
            while (length - i >= 8)
            {
                buffer.putLong(index + i, word((position + i) >>> 3), ByteOrder.LITTLE_ENDIAN);
                i += 8;
            }
            while (i < length)
            {
                buffer.putByte(index + i, byteAt(position + i));
                i++;
            }
        }

        private byte byteAt(final long position)
        {
            return (byte)(word(position >>> 3) >>> ((position & 7) * 8));
        }

        /** SplitMix64's finaliser over seed + counter: a good 64-bit mix, cheap, and stateless. */
        private long word(final long counter)
        {
            long z = seed + (counter + 1) * GOLDEN_GAMMA;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        @Override
        public String toString()
        {
            return "random:" + seed;
        }
    }
}
