package io.nvmeq.actors.remote;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import com.typesafe.config.ConfigFactory;
import io.nvmeq.actors.Nvmeq;
import io.nvmeq.actors.NvmeqSettings;

/**
 * A server JVM for the multi-JVM tests, as {@code nvmeq serve} runs one: opens the device, serves its
 * namespaces, prints {@code SERVING <address>} and runs until its standard input closes (so that it never
 * outlives the test) or it is killed.
 *
 * <p>Arguments: device URI, bind host:port, seed nodes (comma-separated, or {@code -}), {@code rw} or {@code ro},
 * and optionally {@code restarts} (clients may ask for a restart of the cluster node).
 * TLS comes from {@code -Dnvmeq.remote.tls.*} system properties.
 */
public final class ServeMain
{
    private ServeMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final List<String> seeds = args[2].equals("-") ? List.of() : Arrays.asList(args[2].split(","));
        final boolean readOnly = args[3].equals("ro");
        final boolean restarts = args.length > 4 && args[4].equals("restarts");
        final Nvmeq nvmeq = Nvmeq.open(NvmeqSettings.load().withDevice(args[0]).withQueuePairs(2));
        final RemoteOptions options = RemoteOptions.load().withBind(args[1], ConfigFactory.load()).withSeedNodes(seeds);
        final RemoteServer server = RemoteServer.start(nvmeq, options, readOnly, restarts, ConfigFactory.load());
        System.out.println("SERVING " + server.address());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // runs until the test closes our standard input
        }
        server.close();
        nvmeq.close();
        System.exit(0);
    }
}
