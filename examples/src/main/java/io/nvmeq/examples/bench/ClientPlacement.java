package io.nvmeq.examples.bench;

import java.util.Locale;

/** Where the actor path's load generator runs. */
public enum ClientPlacement
{
    /**
     * One client actor per queue pair on that queue pair's own busy-poll dispatcher: request and reply never
     * leave the CPU (run-to-completion, as in SPDK and Seastar).
     */
    COLOCATED("colocated"),
    /**
     * As {@link #COLOCATED}, in the plain form: each operation told on its own as it is issued and answered by
     * a message of its own (no chains), as an actor that just tells its requests does.
     */
    TELL("tell"),
    /**
     * As {@link #COLOCATED}, and the client hands its requests over by calls (a {@code LocalQueuePair}) and
     * is answered by calls from the queue pair's completion poll: no message per I/O.
     */
    LOCAL("local"),
    /** Requests through the {@code Nvmeq} facade's CompletionStages, from outside the actor system. */
    FACADE("facade");

    private final String cliName;

    ClientPlacement(final String cliName)
    {
        this.cliName = cliName;
    }

    public String cliName()
    {
        return cliName;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ClientPlacement parse(final String text)
    {
        final String name = text.trim().toLowerCase(Locale.ROOT);
        for (final ClientPlacement placement : values())
        {
            if (placement.cliName.equals(name))
            {
                return placement;
            }
        }
        throw new IllegalArgumentException("--client must be colocated, tell, local or facade, not '" + text + "'");
    }
}
