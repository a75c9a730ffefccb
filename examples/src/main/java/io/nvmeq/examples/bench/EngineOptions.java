package io.nvmeq.examples.bench;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --engine}/{@code --ioengine} and {@code --client}, shared by {@code bench} and {@code scale}. */
public final class EngineOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = {"--ioengine", "--engine"}, paramLabel = "ENGINE",
        description = "actors (queue-pair actors), sync (the facade's thread queues: a plain thread per job "
            + "owns a queue pair), raw (the engine, a pinned thread per queue pair) or posix "
            + "(alias psync; bench only) (default: posix for posix: devices, else actors).")
    String engine;

    @Option(names = "--client", paramLabel = "WHERE", defaultValue = "colocated",
        description = "Actor path only: colocated (client actors on the queue pairs' own CPU dispatchers, requests "
            + "told), local (the same, requests and answers by calls on that thread: no message per I/O) or "
            + "facade (requests from outside through the Nvmeq facade) (default: ${DEFAULT-VALUE}).")
    String client;

    /** The engine named, or the one {@code device} implies. @throws ParameterException for an unknown one */
    EngineKind engineKind(final String device)
    {
        try
        {
            return engine != null ? EngineKind.parse(engine) : Targets.defaultEngine(device);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(mixee.commandLine(), ex.getMessage(), ex);
        }
    }

    /** Where the clients run; --client with another engine than actors is refused. */
    ClientPlacement placement(final EngineKind engineKind)
    {
        try
        {
            final ClientPlacement placement = ClientPlacement.parse(client);
            if (engineKind != EngineKind.ACTORS && mixee.commandLine().getParseResult().hasMatchedOption("--client"))
            {
                throw new IllegalArgumentException("--client applies to --engine actors only");
            }
            return placement;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(mixee.commandLine(), ex.getMessage(), ex);
        }
    }
}
