package io.nvmeq.examples.bench;

import java.util.Locale;

/** fio's {@code rw=}: the direction and order of a job's I/O. */
public enum RwMode
{
    READ(true, false, false),
    WRITE(false, true, false),
    RANDREAD(true, false, true),
    RANDWRITE(false, true, true),
    RANDRW(true, true, true);

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
        for (final RwMode mode : values())
        {
            if (mode.fioName().equals(text.trim().toLowerCase(Locale.ROOT)))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("--rw must be read, write, randread, randwrite or randrw, not '" + text + "'");
    }
}
