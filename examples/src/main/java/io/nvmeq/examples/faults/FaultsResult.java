package io.nvmeq.examples.faults;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.nvmeq.examples.cli.ExitCodes;

/**
 * The outcome of a fault drill.
 *
 * @param device        the device URI, faults included
 * @param spec          what ran
 * @param lbaSize       bytes per block (one logical block)
 * @param elapsedNs     wall time from laying out to the end of the read-back
 * @param clients       one per queue pair, in queue order (a client that never reported is missing)
 * @param kills         kills sent, by queue
 * @param restarts      restarts the queue pairs' counters show during the drill, by queue
 * @param doubleAnswers answers to requests that were not outstanding, counted until the device was closed
 * @param servingAfter  queue pairs still serving at the end (from the supervisor's health report)
 * @param failedAfter   queue pairs that gave up recovering
 * @param problems      what kept the drill from running to the end, e.g. a client that never reported
 */
record FaultsResult(String device, DrillSpec spec, int lbaSize, long elapsedNs, List<ClientResult> clients,
    List<Long> kills, List<Long> restarts, long doubleAnswers, int servingAfter, int failedAfter,
    List<String> problems)
{
    FaultsResult
    {
        clients = List.copyOf(clients);
        kills = List.copyOf(kills);
        restarts = List.copyOf(restarts);
        problems = List.copyOf(problems);
    }

    long sent()
    {
        return clients.stream().mapToLong(ClientResult::sent).sum();
    }

    long ok()
    {
        return clients.stream().mapToLong(ClientResult::ok).sum();
    }

    long failed()
    {
        return clients.stream().mapToLong(ClientResult::failed).sum();
    }

    long unanswered()
    {
        return clients.stream().mapToLong(ClientResult::unanswered).sum();
    }

    long killsSent()
    {
        return kills.stream().mapToLong(Long::longValue).sum();
    }

    long restartsObserved()
    {
        return restarts.stream().mapToLong(Long::longValue).sum();
    }

    long corruptReads()
    {
        return clients.stream().mapToLong(ClientResult::corruptReads).sum();
    }

    long corruptBlocks()
    {
        return clients.stream().mapToLong(ClientResult::corruptBlocks).sum();
    }

    long unverified()
    {
        return clients.stream().mapToLong(ClientResult::unverified).sum();
    }

    long layoutFailed()
    {
        return clients.stream().mapToLong(ClientResult::layoutFailed).sum();
    }

    long blocks()
    {
        return clients.stream().mapToLong(ClientResult::blocks).sum();
    }

    /** Errors of all clients by kind, sorted by name. */
    Map<String, Long> errors()
    {
        final Map<String, Long> errors = new TreeMap<>();
        for (final ClientResult client : clients)
        {
            client.errors().forEach((kind, count) -> errors.merge(kind, count, Long::sum));
        }
        return errors;
    }

    List<String> corruptions()
    {
        return clients.stream().flatMap(client -> client.corruptions().stream()).toList();
    }

    /** Corrupt data is a mismatch (3); anything lost, unanswered, answered twice or not run to the end fails (1). */
    int exitStatus()
    {
        if (corruptReads() > 0 || corruptBlocks() > 0)
        {
            return ExitCodes.MISMATCH;
        }
        if (unanswered() > 0 || doubleAnswers > 0 || unverified() > 0 || layoutFailed() > 0 || !problems.isEmpty() ||
            clients.size() != spec.queues())
        {
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /** Why the drill failed, in one line; null if it passed. */
    String verdict()
    {
        if (exitStatus() == ExitCodes.OK)
        {
            return null;
        }
        final StringBuilder why = new StringBuilder();
        append(why, corruptReads() + corruptBlocks(), "corrupt block reads");
        append(why, unanswered(), "requests unanswered");
        append(why, doubleAnswers, "requests answered twice");
        append(why, unverified(), "blocks not read back");
        append(why, layoutFailed(), "blocks never laid out");
        for (final String problem : problems)
        {
            why.append(why.length() == 0 ? "" : "; ").append(problem);
        }
        return why.toString();
    }

    private static void append(final StringBuilder why, final long count, final String what)
    {
        if (count > 0)
        {
            why.append(why.length() == 0 ? "" : "; ").append(count).append(' ').append(what);
        }
    }
}
