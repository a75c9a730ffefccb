package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * Bytes as {@code hexdump -C} shows them: offset, 16 bytes in hex, the printable ones as text; a run of lines
 * equal to the one before is shown once, followed by {@code *}; the last line is the total length.
 */
final class HexDump
{
    private static final int LINE = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final PrintWriter out;
    private final byte[] line = new byte[LINE];
    private final byte[] previous = new byte[LINE];
    private final StringBuilder text = new StringBuilder(80);
    private int filled;
    private long offset;
    private boolean hasPrevious;
    private boolean squeezing;

    HexDump(final PrintWriter out)
    {
        this.out = out;
    }

    void append(final DirectBuffer buffer, final int index, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            line[filled++] = buffer.getByte(index + i);
            if (filled == LINE)
            {
                emit();
            }
        }
    }

    /** Print a partial last line, if any, and the end offset. */
    void finish()
    {
        if (filled > 0)
        {
            emit();
        }
        out.printf("%08x%n", offset);
        out.flush();
    }

    private void emit()
    {
        if (filled == LINE && hasPrevious && Arrays.equals(line, previous))
        {
            if (!squeezing)
            {
                out.println('*');
                squeezing = true;
            }
        }
        else
        {
            squeezing = false;
            print();
            System.arraycopy(line, 0, previous, 0, LINE);
            hasPrevious = filled == LINE;
        }
        offset += filled;
        filled = 0;
    }

    private void print()
    {
        text.setLength(0);
        text.append(String.format("%08x ", offset));
        for (int i = 0; i < LINE; i++)
        {
            if (i % 8 == 0)
            {
                text.append(' ');
            }
            if (i < filled)
            {
                text.append(HEX[(line[i] >>> 4) & 0xF]).append(HEX[line[i] & 0xF]).append(' ');
            }
            else
            {
                text.append("   ");
            }
        }
        text.append(" |");
        for (int i = 0; i < filled; i++)
        {
            final int b = line[i] & 0xFF;
            text.append(b >= 0x20 && b < 0x7F ? (char)b : '.');
        }
        text.append('|');
        out.println(text);
    }
}
