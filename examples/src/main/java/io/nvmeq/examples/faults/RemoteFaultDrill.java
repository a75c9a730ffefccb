package io.nvmeq.examples.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.nvmeq.actors.remote.RemoteNvmeq;
import io.nvmeq.engine.NamespaceInfo;

/**
 * The fault drill on a remote namespace ({@code nvmeq faults --device remote://...}): the injected fault is a
 * restart of the server's cluster node every {@code --kill-interval} (asked for through the protocol; the server
 * must run with {@code nvmeq serve --allow-restarts}), as soon as the client has found the server again after the
 * last one. {@code --queue-pairs} clients, each on its own thread with {@code --iodepth} requests outstanding,
 * share the client's session; every answer is checked as in the local drill: once, typed, and no block holding
 * anything its answers do not allow.
 */
final class RemoteFaultDrill
{
    private final String device;
    private final DrillSpec spec;

    RemoteFaultDrill(final String device, final DrillSpec spec)
    {
        this.device = device;
        this.spec = spec;
    }

    FaultsResult run() throws InterruptedException
    {
        try (RemoteNvmeq remote = RemoteNvmeq.open(device))
        {
            return drill(remote);
        }
    }

    private FaultsResult drill(final RemoteNvmeq remote) throws InterruptedException
    {
        final NamespaceInfo namespace = remote.namespace(spec.nsid());
        final int lbaSize = namespace.blockSize();
        if (spec.size() > namespace.bytes())
        {
            throw new FaultDrill.OptionsException("--size " + spec.size() + " is larger than namespace " + spec.nsid() +
                " (" + namespace.bytes() + " bytes)");
        }
        final int clientCount = spec.queues();
        final long totalBlocks = spec.size() / lbaSize;
        if (totalBlocks / clientCount < 2L * spec.iodepth() || totalBlocks / clientCount > Integer.MAX_VALUE)
        {
            throw new FaultDrill.OptionsException("--size " + spec.size() + " gives each of the " + clientCount +
                " clients " + totalBlocks / clientCount + " blocks; each needs at least twice --iodepth (" +
                2L * spec.iodepth() + ")");
        }
        final AtomicLong doubleAnswers = new AtomicLong();
        final List<RemoteDrillClient> clients = new ArrayList<>(clientCount);
        for (int i = 0; i < clientCount; i++)
        {
            clients.add(new RemoteDrillClient(remote, i, clientCount, (int)((totalBlocks - i + clientCount - 1) / clientCount),
                spec, lbaSize, doubleAnswers));
        }
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        final long start = System.nanoTime();
        final long phase = spec.phaseTimeout().toNanos();
        final long sessionsBefore = remote.sessionsOpened();

        inParallel(clients, client -> client.layOut(System.nanoTime() + phase), problems);
        final AtomicLong restartsAsked = new AtomicLong();
        final long until = System.nanoTime() + spec.runtimeNs();
        final Thread killer = new Thread(() -> restartServer(remote, until, restartsAsked), "faults-server-restarts");
        killer.setDaemon(true);
        killer.start();
        inParallel(clients, client -> client.run(until, until + 2 * phase), problems);
        killer.join(TimeUnit.NANOSECONDS.toMillis(phase));
        inParallel(clients, client -> client.readBack(System.nanoTime() + 2 * phase), problems);

        final List<ClientResult> results = clients.stream().map(RemoteDrillClient::result).toList();
        final List<Long> kills = new ArrayList<>(Collections.nCopies(clientCount, 0L));
        final List<Long> restarts = new ArrayList<>(Collections.nCopies(clientCount, 0L));
        kills.set(0, restartsAsked.get());
        restarts.set(0, remote.sessionsOpened() - sessionsBefore);
        if (spec.killIntervalNs() > 0 && restartsAsked.get() > 0 && restarts.get(0) == 0)
        {
            problems.add("the server was asked to restart " + restartsAsked.get() + " times and never came back (is " +
                "it running with nvmeq serve --allow-restarts?)");
        }
        return new FaultsResult(device, spec, lbaSize, System.nanoTime() - start, results, kills, restarts,
            doubleAnswers.get(), remote.connected() ? 1 : 0, 0, problems);
    }

    /** Every interval, once the client has found the server again after the last restart, asks for the next. */
    private void restartServer(final RemoteNvmeq remote, final long until, final AtomicLong asked)
    {
        if (spec.killIntervalNs() == 0)
        {
            return;
        }
        long sessionsAtLastRestart = remote.sessionsOpened();
        try
        {
            while (true)
            {
                TimeUnit.NANOSECONDS.sleep(spec.killIntervalNs());
                while (System.nanoTime() < until && (!remote.connected() ||
                    (asked.get() > 0 && remote.sessionsOpened() == sessionsAtLastRestart)))
                {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                if (System.nanoTime() >= until)
                {
                    return;
                }
                sessionsAtLastRestart = remote.sessionsOpened();
                if (remote.requestServerRestart())
                {
                    asked.incrementAndGet();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface Phase
    {
        void run(RemoteDrillClient client) throws InterruptedException;
    }

    private static void inParallel(final List<RemoteDrillClient> clients, final Phase phase, final List<String> problems)
        throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++)
        {
            final RemoteDrillClient client = clients.get(i);
            final int index = i;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    phase.run(client);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                catch (final RuntimeException ex)
                {
                    problems.add("client " + index + " failed: " + ex);
                }
            }, "faults-remote-client-" + i);
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }
}
