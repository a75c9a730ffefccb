package io.nvmeq.examples.bench;

import java.util.Locale;
import java.util.StringJoiner;

/** Which path a job's I/O takes: fio's {@code ioengine}. */
public enum EngineKind
{
    /** Queue-pair actors, driven by client actors on their CPUs or through the facade (nvmeq as applications use it). */
    ACTORS("actors"),
    /** The facade's thread queues: a plain Java thread per job owns a queue pair and waits by polling it. */
    SYNC("sync"),
    /** The engine alone: one thread per queue pair submitting, ringing and polling, no actors. */
    RAW("raw"),
    /** The baseline: FileChannel positional reads and writes on a file, one thread per outstanding I/O. */
    POSIX("posix");

    private final String cliName;

    EngineKind(final String cliName)
    {
        this.cliName = cliName;
    }

    public String cliName()
    {
        return cliName;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static EngineKind parse(final String text)
    {
        final String name = text.trim().toLowerCase(Locale.ROOT);
        for (final EngineKind kind : values())
        {
            if (kind.cliName.equals(name))
            {
                return kind;
            }
        }
        if ("psync".equals(name))
        {
            return POSIX;
        }
        throw new IllegalArgumentException("--engine must be " + names() + " (alias psync), not '" + text + "'");
    }

    /** Every engine's name, as a choice: "actors, raw or posix". */
    static String names()
    {
        final EngineKind[] kinds = values();
        final StringJoiner names = new StringJoiner(", ");
        for (int i = 0; i < kinds.length - 1; i++)
        {
            names.add(kinds[i].cliName);
        }
        return kinds.length == 1 ? kinds[0].cliName : names + " or " + kinds[kinds.length - 1].cliName;
    }
}
