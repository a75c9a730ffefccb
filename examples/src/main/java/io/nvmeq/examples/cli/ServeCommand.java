package io.nvmeq.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.actors.remote.RemoteOptions;
import io.nvmeq.actors.remote.RemoteServer;
import io.nvmeq.actors.remote.RemoteUri;
import io.nvmeq.engine.NamespaceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmeq serve}: opens a device and serves each of its namespaces to the cluster (Akka Cluster over Artery,
 * mutual TLS off loopback), until the process is stopped. Prints one {@code remote://} URI per namespace.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
        "Serve every namespace of a device to other JVMs: the node joins (or, without --seed-nodes, forms) an Akka "
            + "cluster and registers each namespace with the cluster's Receptionist under the controller's serial "
            + "number and the namespace id. Clients open remote://HOST:PORT/SERIAL/NSID (HOST:PORT: any member).",
        "Binding to a non-loopback address needs TLS key and trust stores (nvmeq.remote.tls.* in configuration or "
            + "-D system properties): only peers holding the cluster's certificate can join, read or write.",
        "Prints one remote:// URI per served namespace on stdout, then runs until stopped (SIGINT or SIGTERM)."
    },
    sortOptions = false)
final class ServeCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private DeviceOption device;

    @Option(
        names = "--bind",
        paramLabel = "HOST:PORT",
        defaultValue = "127.0.0.1:25520",
        description = "Address to listen on and be reached at (default: ${DEFAULT-VALUE}).")
    private String bind;

    @Option(
        names = "--seed-nodes",
        paramLabel = "HOST:PORT",
        split = ",",
        description = "Members to join, comma-separated (default: nvmeq.remote.seed-nodes; none: form a new cluster). "
            + "A server that restarts lists a member that stays up, to join its cluster again.")
    private List<String> seedNodes;

    @Option(
        names = "--read-only",
        description = "Refuse writes, write-zeroes and deallocates from every client (reads and flushes are served).")
    private boolean readOnly;

    @Option(
        names = "--allow-restarts",
        description = "Fault injection: clients may ask this server to restart its cluster node (nvmeq faults "
            + "--device remote://...). The device stays open; never use it in production.")
    private boolean allowRestarts;

    @Option(
        names = "--queue-pairs",
        paramLabel = "N",
        description = "I/O queue pairs to open (default: nvmeq.queue-pairs); clients are dealt over them in turn.")
    private Integer queuePairs;

    @Override
    public Integer call() throws InterruptedException
    {
        final String uri = device.uri();
        if (RemoteUri.isRemote(uri))
        {
            throw new ParameterException(spec.commandLine(), "serve opens a local device, not " + uri);
        }
        if (queuePairs != null && queuePairs < 0)
        {
            throw new ParameterException(spec.commandLine(), "--queue-pairs must be 0 (one per CPU) or more, not " + queuePairs);
        }
        final Config config = ConfigFactory.load();
        RemoteOptions options = RemoteOptions.fromConfig(config).withBind(bind, config);
        if (seedNodes != null)
        {
            options = options.withSeedNodes(seedNodes);
        }
        NvmeqSettings settings = NvmeqSettings.load().withDevice(uri);
        if (queuePairs != null)
        {
            settings = settings.withQueuePairs(queuePairs);
        }
        final Nvmeq nvmeq = Nvmeq.open(settings);
        final RemoteServer server;
        try
        {
            server = RemoteServer.start(nvmeq, options, readOnly, allowRestarts, config);
        }
        catch (final RuntimeException ex)
        {
            nvmeq.close();
            throw ex;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            nvmeq.close();
            stopped.countDown();
        }, "nvmeq-serve-shutdown"));
        final PrintWriter out = spec.commandLine().getOut();
        final String address = server.address().host().get() + ":" + server.address().port().get();
        for (final NamespaceInfo namespace : nvmeq.namespaces())
        {
            out.println("remote://" + address + "/" + nvmeq.controller().serial().trim() + "/" + namespace.nsid());
        }
        out.flush();
        final PrintWriter err = spec.commandLine().getErr();
        err.printf("serve: %d namespace(s) of %s at %s, %s%s; stop with SIGINT or SIGTERM%n", nvmeq.namespaces().size(),
            uri, address, options.tls() ? "mutual TLS" : "plain TCP on loopback", readOnly ? ", read-only" : "");
        err.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
