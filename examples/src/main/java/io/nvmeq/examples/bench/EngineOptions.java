package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;

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
            + "(alias psync; bench only) (default: posix for posix: devices, else actors). bench takes a "
            + "comma-separated list (e.g. actors,sync,raw,posix): each engine runs the job in turn on the same "
            + "data, and the report ends with their ratios to the first.")
    String engine;

    @Option(names = "--client", paramLabel = "WHERE", defaultValue = "colocated",
        description = "Actor path only: colocated (client actors on the queue pairs' own CPU dispatchers, requests "
            + "told in chains, answers chained), tell (the same, each request told on its own and answered by a "
            + "message of its own), local (the same, requests and answers by calls on that thread: no message per "
            + "I/O) or "
            + "facade (requests from outside through the Nvmeq facade) (default: ${DEFAULT-VALUE}).")
    String client;

    /**
     * The one engine named, or the one {@code device} implies.
     *
     * @throws ParameterException for an unknown one, or a list where one engine is wanted
     */
    EngineKind engineKind(final String device)
    {
        final List<EngineKind> kinds = engineKinds(device);
        if (kinds.size() > 1)
        {
            throw new ParameterException(mixee.commandLine(), "--engine " + engine + ": a list of engines is for " +
                "bench jobs; this runs one engine");
        }
        return kinds.get(0);
    }

    /**
     * The engines named, in the order given (a comma-separated list), or the one {@code device} implies.
     *
     * @throws ParameterException for an unknown engine, an empty item or one named twice
     */
    List<EngineKind> engineKinds(final String device)
    {
        try
        {
            if (engine == null)
            {
                return List.of(Targets.defaultEngine(device));
            }
            final List<EngineKind> kinds = new ArrayList<>();
            for (final String item : engine.split(",", -1))
            {
                if (item.isBlank())
                {
                    throw new IllegalArgumentException("--engine " + engine + ": an empty item in the list");
                }
                final EngineKind kind = EngineKind.parse(item);
                if (kinds.contains(kind))
                {
                    throw new IllegalArgumentException("--engine " + engine + ": " + kind.cliName() + " is named twice");
                }
                kinds.add(kind);
            }
            return List.copyOf(kinds);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(mixee.commandLine(), ex.getMessage(), ex);
        }
    }

    /** Where the clients run; --client with another engine than actors is refused. */
    ClientPlacement placement(final EngineKind engineKind)
    {
        return placement(List.of(engineKind));
    }

    /** Where the actor clients run; --client without actors among {@code engineKinds} is refused. */
    ClientPlacement placement(final List<EngineKind> engineKinds)
    {
        try
        {
            final ClientPlacement placement = ClientPlacement.parse(client);
            if (!engineKinds.contains(EngineKind.ACTORS) && mixee.commandLine().getParseResult().hasMatchedOption("--client"))
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
