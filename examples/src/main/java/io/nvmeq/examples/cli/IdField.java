package io.nvmeq.examples.cli;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import io.nvmeq.hw.spec.IdentifyFields;

/**
 * One field of an Identify data structure as nvme-cli shows it: its name, where it lies, and how nvme-cli
 * formats it in its normal output ({@code %#x}, {@code %d}, text, ...). In JSON every number is a number and
 * every text a string, as in nvme-cli's {@code -o json}.
 */
record IdField(String name, int offset, int width, Style style)
{
    enum Style
    {
        /** {@code %#x}: 0, or 0x and lower-case hex digits. */
        HEX,
        /** {@code %d} / {@code %u}. */
        DECIMAL,
        /** A 128-bit count in decimal. */
        DECIMAL_128,
        /** ASCII up to the first NUL, padding kept. */
        TEXT,
        /** The IEEE OUI, most significant byte first (it lies least significant first). */
        OUI,
        /** A UUID, 8-4-4-4-12 hex digits. */
        UUID,
        /** Bytes as hex digits in the order they lie (NGUID, EUI64). */
        HEX_BYTES
    }

    static IdField hex(final String name, final int offset, final int width)
    {
        return new IdField(name, offset, width, Style.HEX);
    }

    static IdField decimal(final String name, final int offset, final int width)
    {
        return new IdField(name, offset, width, width == 16 ? Style.DECIMAL_128 : Style.DECIMAL);
    }

    /** The text of the normal output. */
    String text(final IdentifyFields data)
    {
        return switch (style)
        {
            case HEX -> IdentifyReport.hex(data.unsigned(offset, width));
            case DECIMAL -> Long.toUnsignedString(data.unsigned(offset, width));
            case DECIMAL_128 -> data.unsigned128(offset).toString();
            case TEXT -> ascii(data);
            case OUI -> String.format("%06x", oui(data));
            case UUID -> uuid(data.bytes(offset, 16));
            case HEX_BYTES -> hexDigits(data.bytes(offset, width));
        };
    }

    /** The member of nvme-cli's JSON object. */
    void json(final JsonWriter json, final IdentifyFields data)
    {
        switch (style)
        {
            case HEX, DECIMAL ->
            {
                final long value = data.unsigned(offset, width);
                if (value < 0)
                {
                    json.field(name, new BigInteger(Long.toUnsignedString(value)));
                }
                else
                {
                    json.field(name, value);
                }
            }
            case DECIMAL_128 -> json.field(name, data.unsigned128(offset));
            case OUI -> json.field(name, oui(data));
            default -> json.field(name, text(data));
        }
    }

    String ascii(final IdentifyFields data)
    {
        final byte[] bytes = data.bytes(offset, width);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0)
        {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    private long oui(final IdentifyFields data)
    {
        final byte[] ieee = data.bytes(offset, 3);
        return ((ieee[2] & 0xFFL) << 16) | ((ieee[1] & 0xFFL) << 8) | (ieee[0] & 0xFFL);
    }

    private static String uuid(final byte[] bytes)
    {
        final String digits = hexDigits(bytes);
        return digits.substring(0, 8) + "-" + digits.substring(8, 12) + "-" + digits.substring(12, 16) + "-" +
            digits.substring(16, 20) + "-" + digits.substring(20);
    }

    static String hexDigits(final byte[] bytes)
    {
        final StringBuilder digits = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            digits.append(String.format("%02x", b & 0xFF));
        }
        return digits.toString();
    }
}
