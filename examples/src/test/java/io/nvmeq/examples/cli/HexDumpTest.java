package io.nvmeq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HexDumpTest
{
    @Test
    void showsLinesLikeHexdumpCanonicalAndSqueezesRepeats()
    {
        final byte[] bytes = new byte[64 + 5];
        for (int i = 0; i < 16; i++)
        {
            bytes[i] = (byte)('A' + i);
        }
        bytes[64] = 0x01;
        final StringWriter text = new StringWriter();
        final HexDump dump = new HexDump(new PrintWriter(text));
        // Two appends that split a line, as two commands' buffers would.
        dump.append(new UnsafeBuffer(bytes), 0, 20);
        dump.append(new UnsafeBuffer(bytes), 20, bytes.length - 20);
        dump.finish();

        final String expected = String.join(System.lineSeparator(),
            "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|",
            "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
            "*",
            "00000040  01 00 00 00 00                                    |.....|",
            "00000045",
            "");
        assertEquals(expected, text.toString());
    }
}
