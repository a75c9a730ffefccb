package io.nvmeq.actors.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.nvmeq.actors.NvmeqSettings;
import io.nvmeq.engine.InvalidRequestException;

/**
 * The {@code nvmeq.remote} settings of one node (a server or a client), and the Akka configuration of its
 * cluster actor system built from them: {@code cluster.conf}, the address, the seed nodes and TLS.
 *
 * @param bindHost        address to listen on and to be reached at
 * @param bindPort        0 = any free port
 * @param seedNodes       {@code host:port} of members to join first
 * @param requestTimeout  every remote request's deadline
 * @param connectTimeout  how long a client waits for the namespace and a session
 * @param downClientsAfter how long a server lets a client member stay unreachable before downing it
 * @param maxMessageBytes data per message (transfers are split above it)
 * @param tls             whether Artery runs over TLS with mutual authentication (decided from the mode)
 */
public record RemoteOptions(String bindHost, int bindPort, List<String> seedNodes, Duration requestTimeout,
    Duration connectTimeout, Duration downClientsAfter, int maxMessageBytes, boolean tls, String keyStore, String keyStorePassword,
    String trustStore, String trustStorePassword)
{
    /** Every node of a cluster runs an actor system of this name (Akka requires one name per cluster). */
    public static final String SYSTEM_NAME = "nvmeq-remote";

    public RemoteOptions
    {
        seedNodes = List.copyOf(seedNodes);
        if (tls && (keyStore.isEmpty() || trustStore.isEmpty()))
        {
            throw new InvalidRequestException("remote TLS needs nvmeq.remote.tls.key-store and trust-store (this node's " +
                "key and certificate, and the certificate every member must present)");
        }
        if (maxMessageBytes < 4096 || maxMessageBytes > 192 * 1024)
        {
            throw new InvalidRequestException("nvmeq.remote.max-message-bytes " + maxMessageBytes + " is outside 4k..192k " +
                "(it must leave room for headers in Artery's 256 KiB frame)");
        }
    }

    /** From {@code ConfigFactory.load()}. */
    public static RemoteOptions load()
    {
        return fromConfig(ConfigFactory.load());
    }

    /**
     * From the {@code nvmeq.remote} block of {@code config} (its unknown nvmeq keys refused as everywhere).
     *
     * @throws InvalidRequestException for a bad address, a TLS mode that is not allowed for it, or missing key stores
     */
    public static RemoteOptions fromConfig(final Config config)
    {
        final Config complete = config.withFallback(ConfigFactory.defaultReference(RemoteOptions.class.getClassLoader()));
        NvmeqSettings.fromConfig(complete);
        final Config remote = complete.getConfig("nvmeq.remote");
        final HostPort bind = HostPort.parse(remote.getString("bind"), "nvmeq.remote.bind", true);
        for (final String seed : remote.getStringList("seed-nodes"))
        {
            HostPort.parse(seed, "nvmeq.remote.seed-nodes", false);
        }
        final Config tls = remote.getConfig("tls");
        return new RemoteOptions(bind.host(), bind.port(), remote.getStringList("seed-nodes"),
            remote.getDuration("request-timeout"), remote.getDuration("connect-timeout"),
            remote.getDuration("down-clients-after"),
            (int)Math.min(Integer.MAX_VALUE, remote.getBytes("max-message-bytes")),
            tlsOn(tls.getString("mode"), bind.host(), !tls.getString("key-store").isEmpty()),
            tls.getString("key-store"), tls.getString("key-store-password"), tls.getString("trust-store"),
            tls.getString("trust-store-password"));
    }

    /**
     * {@code nvmeq.remote.server-buffer-bytes} of {@code config} (over nvmeq's defaults): the DMA memory a server
     * keeps for the block data of its requests in flight.
     */
    static long serverBufferBytes(final Config config)
    {
        final long bytes = config.withFallback(ConfigFactory.defaultReference(RemoteOptions.class.getClassLoader()))
            .getBytes("nvmeq.remote.server-buffer-bytes");
        if (bytes < 4096 || bytes > 1L << 30)
        {
            throw new InvalidRequestException("nvmeq.remote.server-buffer-bytes " + bytes + " is outside 4k..1g");
        }
        return bytes;
    }

    /** These options listening at {@code hostPort} (TLS decided again for the new address, from {@code config}). */
    public RemoteOptions withBind(final String hostPort, final Config config)
    {
        return fromConfig(ConfigFactory.parseMap(Map.of("nvmeq.remote.bind", hostPort)).withFallback(config))
            .withSeedNodes(seedNodes);
    }

    /** These options at {@code hostPort} on the same host (the TLS decision stands). */
    RemoteOptions withBind(final String hostPort)
    {
        final HostPort bind = HostPort.parse(hostPort, "bind address", true);
        return new RemoteOptions(bind.host(), bind.port(), seedNodes, requestTimeout, connectTimeout, downClientsAfter,
            maxMessageBytes, tls, keyStore, keyStorePassword, trustStore, trustStorePassword);
    }

    public RemoteOptions withSeedNodes(final List<String> seeds)
    {
        for (final String seed : seeds)
        {
            HostPort.parse(seed, "seed node", false);
        }
        return new RemoteOptions(bindHost, bindPort, seeds, requestTimeout, connectTimeout, downClientsAfter, maxMessageBytes, tls, keyStore,
            keyStorePassword, trustStore, trustStorePassword);
    }

    public RemoteOptions withRequestTimeout(final Duration timeout)
    {
        return new RemoteOptions(bindHost, bindPort, seedNodes, timeout, connectTimeout, downClientsAfter, maxMessageBytes, tls, keyStore,
            keyStorePassword, trustStore, trustStorePassword);
    }

    static boolean tlsOn(final String mode, final String host, final boolean keyStoreSet)
    {
        final boolean loopback = isLoopback(host);
        return switch (mode.toLowerCase(Locale.ROOT))
        {
            case "on" -> true;
            case "off" ->
            {
                if (!loopback)
                {
                    throw new InvalidRequestException("nvmeq.remote.tls.mode = off is allowed only on a loopback address, " +
                        "not " + host + ": any peer could read and write the namespaces");
                }
                yield false;
            }
            case "auto" -> !loopback || keyStoreSet;
            default -> throw new InvalidRequestException("nvmeq.remote.tls.mode must be auto, on or off, not '" + mode + "'");
        };
    }

    static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new InvalidRequestException("unknown host '" + host + "' in nvmeq.remote.bind");
        }
    }

    /**
     * The Akka configuration of this node's cluster actor system, over {@code application} (e.g. for logging).
     *
     * @param role {@link ClientDowning#SERVER_ROLE} or {@link ClientDowning#CLIENT_ROLE}
     */
    Config clusterConfig(final Config application, final String role)
    {
        final List<String> seeds = seedNodes.stream()
            .map(seed -> "akka://" + SYSTEM_NAME + "@" + seed)
            .toList();
        Config node = ConfigFactory.empty()
            .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(bindHost))
            .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(bindPort))
            .withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
            .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)))
            .withValue("akka.remote.artery.transport", ConfigValueFactory.fromAnyRef(tls ? "tls-tcp" : "tcp"));
        if (ClientDowning.SERVER_ROLE.equals(role))
        {
            // A server's one thread is one fixed thread for the node's life (a fork-join pool may retire and
            // replace its worker): it owns an NVMe queue pair of its own (NodeIo), which only its opener may use.
            final String dispatcher = "akka.actor.default-dispatcher.";
            node = node
                .withValue(dispatcher + "executor", ConfigValueFactory.fromAnyRef("thread-pool-executor"))
                .withValue(dispatcher + "thread-pool-executor.fixed-pool-size", ConfigValueFactory.fromAnyRef(1))
                .withValue(dispatcher + "thread-pool-executor.allow-core-timeout", ConfigValueFactory.fromAnyRef("off"));
        }
        if (tls)
        {
            final String engine = "akka.remote.artery.ssl.config-ssl-engine.";
            node = node
                .withValue(engine + "key-store", ConfigValueFactory.fromAnyRef(keyStore))
                .withValue(engine + "key-store-password", ConfigValueFactory.fromAnyRef(keyStorePassword))
                .withValue(engine + "key-password", ConfigValueFactory.fromAnyRef(keyStorePassword))
                .withValue(engine + "trust-store", ConfigValueFactory.fromAnyRef(trustStore))
                .withValue(engine + "trust-store-password", ConfigValueFactory.fromAnyRef(trustStorePassword));
        }
        final Config cluster = ConfigFactory.parseResources(RemoteOptions.class.getClassLoader(),
            "io/nvmeq/actors/remote/cluster.conf");
        if (cluster.isEmpty())
        {
            throw new IllegalStateException("io/nvmeq/actors/remote/cluster.conf is missing from the class path");
        }
        return node.withFallback(cluster).withFallback(application).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** {@code host:port}, with [IPv6] allowed. */
    record HostPort(String host, int port)
    {
        static HostPort parse(final String text, final String what, final boolean portZeroAllowed)
        {
            final int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1)
            {
                throw new InvalidRequestException(what + " '" + text + "' is not host:port");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]"))
            {
                host = host.substring(1, host.length() - 1);
            }
            final int port;
            try
            {
                port = Integer.parseInt(text.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new InvalidRequestException(what + " '" + text + "' has no numeric port");
            }
            if (port < (portZeroAllowed ? 0 : 1) || port > 65535)
            {
                throw new InvalidRequestException(what + " '" + text + "': port " + port + " is out of range");
            }
            return new HostPort(host, port);
        }
    }
}
