package io.nvmeq.examples.bench;

import java.util.Locale;

/** fio's {@code rw=}: the direction and order of a job's I/O. */
public enum RwMode
{
    READ(true, false, false),
    WRITE(false, true, false),
    RANDREAD(true, false, true),
    RANDWRITE(false, true, true),
    RANDRW(true, true, true),
    /** Sequential mixed reads and writes (fio's {@code rw}, also spelled {@code readwrite}). */
    RW(true, true, false);

    private final boolean reads;
    private final boolean writes;
    private final boolean random;

    RwMode(final boolean reads, final boolean writes, final boolean random)
    {
        this.reads = reads;
        this.writes = writes;
        this.random = random;
    }

    public boolean reads()
    {
        return reads;
    }

    public boolean writes()
    {
        return writes;
    }

    public boolean random()
    {
        return random;
    }

    /** The name fio uses, e.g. {@code randread}. */
    public String fioName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static RwMode parse(final String text)
    {
        final String name = text.trim().toLowerCase(Locale.ROOT);
        for (final RwMode mode : values())
        {
            if (mode.fioName().equals(name) || (mode == RW && name.equals("readwrite")))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("--rw must be read, write, rw (readwrite), randread, randwrite or randrw, not '" + text + "'");
    }
}
